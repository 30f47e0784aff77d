using BatchXai.Core.Aggregation;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The aggregation pass measures each image on its read tasks and only adds on one thread (issue 17):
/// each split measure is checked against the definition it replaces — the attribution masses against a
/// per-pixel sum over the max-normalised map with the regions' own InBorder/CornerOf, histograms merged
/// against one histogram of every value, class views and dominance counts against adding maps directly.
/// </summary>
public sealed class PerImageMeasureTests
{
    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(3, 5, 1)]
    [InlineData(7, 7, 2)]
    [InlineData(40, 33, 3)]
    [InlineData(160, 160, 4)]
    public void Attribution_masses_equal_the_per_pixel_definition_on_random_maps(int height, int width, int seed)
    {
        var random = new Random(seed);
        var regions = new FrameRegions(height, width);
        var mask = new bool[height * width];
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < 0.7;
        FieldOfView[] fovs =
        [
            FieldOfView.InscribedIn(height, width),
            FieldOfView.Disc(height, width, width * 0.4, height * 0.6, Math.Min(height, width) * 0.45),
            FieldOfView.FromMask(height, width, mask),
            FieldOfView.WholeFrame(height, width),
        ];
        for (int trial = 0; trial < 6; trial++)
        {
            var map = new ExplanationMap(height, width);
            for (int i = 0; i < map.Values.Length; i++)
                map.Values[i] = trial switch
                {
                    0 => (float)random.NextDouble(),
                    1 => (float)(random.NextDouble() * 2 - 1),              // signed: negatives clamp to 0
                    2 => random.NextDouble() < 0.8 ? 0f : (float)random.Next(1, 4), // sparse, tied peaks
                    3 => -(float)random.NextDouble(),                       // no positive value
                    4 => 0f,
                    _ => (float)(random.NextDouble() * 1e-30),              // tiny but positive
                };
            foreach (var fov in fovs)
            {
                var measured = MapAttribution.Measure(map, fov, regions);
                var expected = ByDefinition(map, fov, regions);
                Assert.Equal(expected.OutsideFovMass, measured.OutsideFovMass, 1e-9);
                Assert.Equal(expected.BorderMass, measured.BorderMass, 1e-9);
                for (int c = 0; c < expected.CornerMass.Length; c++) Assert.Equal(expected.CornerMass[c], measured.CornerMass[c], 1e-9);
                Assert.Equal((expected.PeakX, expected.PeakY, expected.PeakCorner), (measured.PeakX, measured.PeakY, measured.PeakCorner));
            }
        }
    }

    /// <summary>The documented rule, pixel by pixel: shares of Σ of the max-normalised map clamped at 0; the peak is the first maximum.</summary>
    private static MapAttribution ByDefinition(ExplanationMap map, FieldOfView fov, FrameRegions regions)
    {
        float max = map.Values.Max();
        var normalized = map.Values.Select(v => max > 0 && float.IsFinite(max) ? Math.Max(0.0, (double)v / max) : 0.0).ToArray();
        double total = 0, outside = 0, border = 0;
        var corners = new double[ImageCorners.All.Length];
        int peakX = 0, peakY = 0;
        double peak = double.NegativeInfinity;
        for (int y = 0; y < map.Height; y++)
            for (int x = 0; x < map.Width; x++)
            {
                double v = normalized[y * map.Width + x];
                if (v > peak) (peak, peakX, peakY) = (v, x, y);
                total += v;
                if (!fov.Contains(x, y)) outside += v;
                if (regions.InBorder(x, y)) border += v;
                if (regions.CornerOf(x, y) is { } c) corners[(int)c] += v;
            }
        if (total <= 0) return new MapAttribution(0, 0, corners, peakX, peakY, null);
        return new MapAttribution(outside / total, border / total, corners.Select(c => c / total).ToArray(), peakX, peakY, regions.CornerOf(peakX, peakY));
    }

    [Fact]
    public void Histograms_merged_image_by_image_equal_one_histogram_of_every_value()
    {
        var random = new Random(7);
        var whole = new Histogram(bins: 20, min: -1);
        var merged = new Histogram(bins: 20, min: -1);
        for (int image = 0; image < 30; image++)
        {
            var values = Enumerable.Range(0, random.Next(1, 500)).Select(_ => (float)(random.NextDouble() * 2.4 - 1.2)).ToArray();
            whole.AddRange(values);
            var part = new Histogram(bins: 20, min: -1);
            part.AddRange(values);
            merged.Merge(part);
        }
        Assert.Equal(whole.Counts, merged.Counts);
        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Mean, merged.Mean, 1e-12);
        Assert.Equal(whole.StdDev, merged.StdDev, 1e-12);
        Assert.Throws<ArgumentException>(() => merged.Merge(new Histogram(bins: 10, min: -1)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_class_view_of_maps_normalised_apart_equals_one_of_maps_added_directly(bool signed)
    {
        var random = new Random(signed ? 3 : 4);
        var direct = new ClassLevelAccumulator(1, 12, 9, signed: signed);
        var apart = new ClassLevelAccumulator(1, 12, 9, signed: signed);
        for (int image = 0; image < 25; image++)
        {
            var map = new ExplanationMap(12, 9, Enumerable.Range(0, 108).Select(_ => (float)(random.NextDouble() * 3 - (signed ? 1.5 : 0))).ToArray());
            double roiRatio = random.NextDouble();
            direct.Add(map, roiRatio);
            apart.Add(ClassLevelAccumulator.Normalize(map, signed), roiRatio);
        }
        var (a, b) = (direct.Build(), apart.Build());
        Assert.Equal(a.AverageMap.Values, b.AverageMap.Values);
        Assert.Equal((a.ImageCount, a.RoiPixels, a.RoiBox), (b.ImageCount, b.RoiPixels, b.RoiBox));
        Assert.Equal(a.Scores.Counts, b.Scores.Counts);
        Assert.Equal(a.Scores.Mean, b.Scores.Mean, 1e-12);
        Assert.Equal(a.Scores.StdDev, b.Scores.StdDev, 1e-12);
        Assert.Throws<ArgumentException>(() => apart.Add(ClassLevelAccumulator.Normalize(new ExplanationMap(4, 4), signed), 0));
    }

    [Fact]
    public void Dominance_counted_image_by_image_matches_a_direct_count()
    {
        const int classes = 3, size = 21;
        var random = new Random(11);
        var counter = new DominanceCounter(0, classes);
        var disc = FieldOfView.InscribedIn(size, size);
        long fovTotal = 0;
        var fov = new long[classes];
        var attentive = new long[classes];
        var dominated = new int[classes];
        for (int image = 0; image < 12; image++)
        {
            var dominant = Enumerable.Range(0, size * size).Select(_ => random.Next(-1, classes)).ToArray();
            var response = new ExplanationMap(size, size, Enumerable.Range(0, size * size).Select(_ => (float)random.NextDouble()).ToArray());
            counter.Add(DominanceCounter.Count(dominant, response, classes));
            float cut = RoiStats.DefaultThreshold * response.Values.Max();
            var mine = new long[classes];
            for (int p = 0; p < dominant.Length; p++)
            {
                if (!disc.Contains(p % size, p / size)) continue;
                fovTotal++;
                if (dominant[p] < 0) continue;
                fov[dominant[p]]++;
                if (response.Values[p] >= cut) { attentive[dominant[p]]++; mine[dominant[p]]++; }
            }
            dominated[Array.IndexOf(mine, mine.Max())]++;
        }
        var built = counter.Build();
        for (int d = 0; d < classes; d++)
        {
            Assert.Equal((double)fov[d] / fovTotal, built[d].FovPixelShare, 1e-12);
            Assert.Equal((double)attentive[d] / attentive.Sum(), built[d].AttentivePixelShare, 1e-12);
            Assert.Equal(dominated[d], built[d].ImagesDominated);
        }
    }
}
