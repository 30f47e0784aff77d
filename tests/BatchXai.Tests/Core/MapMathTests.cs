using BatchXai.Core.Aggregation;
using BatchXai.Core.Maps;

namespace BatchXai.Tests.Core;

public class MapMathTests
{
    [Fact]
    public void Bilinear_upsampling_uses_half_pixel_centres_like_torch_interpolate()
    {
        // torch.nn.functional.interpolate(x, size=(4,4), mode="bilinear", align_corners=False)
        // of [[0,1],[2,3]] — each output is a convex blend at source coordinate (i+0.5)/2-0.5, clamped.
        var map = new ExplanationMap(2, 2, [0, 1, 2, 3]);
        var up = BilinearUpsampler.Resize(map, 4, 4);
        float[] expected =
        [
            0.0f, 0.25f, 0.75f, 1.0f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.0f, 2.25f, 2.75f, 3.0f,
        ];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], up.Values[i], 1e-6);
    }

    [Fact]
    public void Bilinear_resampling_keeps_constants_and_linear_ramps()
    {
        var constant = BilinearUpsampler.Resize(new ExplanationMap(3, 5, Enumerable.Repeat(2.5f, 15).ToArray()), 17, 9);
        Assert.All(constant.Values, v => Assert.Equal(2.5f, v, 1e-6));

        // A ramp along x, sampled at pixel centres, stays a ramp away from the clamped borders.
        var ramp = new ExplanationMap(1, 8, Enumerable.Range(0, 8).Select(i => (float)i).ToArray());
        var up = BilinearUpsampler.Resize(ramp, 1, 32);
        for (int x = 2; x < 30; x++) Assert.Equal((x + 0.5f) / 4f - 0.5f, up.Values[x], 1e-5);
    }

    [Theory]
    [InlineData(20, 20, 320, 320)]   // a CAM/CRM grid to a model input
    [InlineData(7, 5, 224, 160)]     // non-square, uneven factors
    [InlineData(1, 9, 13, 40)]       // one source row
    [InlineData(6, 1, 31, 4)]        // one source column
    [InlineData(160, 160, 32, 32)]   // downsampling: output rows skip source rows
    [InlineData(33, 17, 33, 50)]     // rows kept, columns resampled
    public void Bilinear_resampling_matches_the_per_pixel_formula_in_double(int srcH, int srcW, int dstH, int dstW)
    {
        // Reference: PyTorch's align_corners=False bilinear, written per output pixel in double
        // (source coordinate (i + 0.5)·src/dst − 0.5, clamped at 0, neighbours clamped at the edge); the
        // code computes coordinates in float, hence 1e-5 of the values' range.
        var random = new Random(srcH * 1000 + dstW);
        var map = new ExplanationMap(srcH, srcW, Enumerable.Range(0, srcH * srcW).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray());
        var resized = BilinearUpsampler.Resize(map, dstH, dstW);
        for (int y = 0; y < dstH; y++)
        for (int x = 0; x < dstW; x++)
        {
            double sy = Math.Max(0, (y + 0.5) * srcH / dstH - 0.5), sx = Math.Max(0, (x + 0.5) * srcW / dstW - 0.5);
            int y0 = Math.Min((int)sy, srcH - 1), x0 = Math.Min((int)sx, srcW - 1);
            int y1 = Math.Min(y0 + 1, srcH - 1), x1 = Math.Min(x0 + 1, srcW - 1);
            double fy = sy - y0, fx = sx - x0;
            double expected = (1 - fy) * ((1 - fx) * map[y0, x0] + fx * map[y0, x1]) + fy * ((1 - fx) * map[y1, x0] + fx * map[y1, x1]);
            Assert.True(Math.Abs(resized[y, x] - expected) <= 1e-4, $"({y},{x}): {resized[y, x]} vs {expected}");
        }
    }

    [Fact]
    public void Roi_counts_pixels_at_or_above_twenty_percent_of_the_scale_and_boxes_them()
    {
        var map = new ExplanationMap(4, 5);
        map[1, 1] = 10f;   // max
        map[2, 3] = 2f;    // above 20% of the scale: in
        map[3, 0] = 1.8f;  // below: out
        map[0, 4] = -5f;   // negative: out
        var stats = RoiStats.Compute(map, signed: false);
        Assert.Equal(10f, stats.Max);
        Assert.Equal(9.24f, stats.Scale, 1e-5); // numpy.percentile(map, 99.5) = 9.24: threshold 1.848
        Assert.Equal(2, stats.RoiPixels);
        Assert.Equal(2.0 / 20, stats.RoiRatio, 1e-12);
        Assert.Equal(new BoundingBox(1, 1, 3, 2), stats.RoiBox);
        Assert.Equal((10f + 2f + 1.8f - 5f) / 20f, stats.Mean, 1e-6);
    }

    [Fact]
    public void An_all_zero_map_has_an_empty_roi_and_normalises_to_zeros()
    {
        var zero = new ExplanationMap(3, 3);
        var stats = RoiStats.Compute(zero, signed: true);
        Assert.Equal(0, stats.RoiPixels);
        Assert.True(stats.RoiBox.IsEmpty);
        Assert.All(zero.NormalizedByMax().Values, v => Assert.Equal(0f, v));
        Assert.All(zero.Normalized(signed: true).Values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Histogram_mean_and_std_match_the_direct_formulas()
    {
        var random = new Random(9);
        var values = Enumerable.Range(0, 1000).Select(_ => (float)random.NextDouble()).ToArray();
        var histogram = new Histogram(bins: 10);
        histogram.AddRange(values);
        double mean = values.Average(v => (double)v);
        double std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(mean, histogram.Mean, 1e-9);
        Assert.Equal(std, histogram.StdDev, 1e-6);
        for (int b = 0; b < 10; b++)
            Assert.Equal(values.Count(v => (int)(v * 10) == b || (b == 9 && v >= 1f)), histogram.Counts[b]);
        Assert.Equal(1000, histogram.Counts.Sum());
    }

    [Fact]
    public void Class_view_averages_percentile_normalised_maps_and_boxes_the_seventy_percent_region()
    {
        // numpy: clip(m / percentile(m, 99.5), 0, 1) gives 1 and 0.5063291 for both maps.
        var accumulator = new ClassLevelAccumulator(classIndex: 2, height: 2, width: 3);
        accumulator.Add(new ExplanationMap(2, 3, [10, 0, 0, 0, 5, 0]), imageRoiRatio: 0.2);
        accumulator.Add(new ExplanationMap(2, 3, [1, 0, 0, 0, 0, 0.5f]), imageRoiRatio: 0.4);
        var view = accumulator.Build();

        Assert.Equal(2, view.ImageCount);
        float[] expected = [1f, 0f, 0f, 0f, 0.25316456f, 0.25316456f];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], view.AverageMap.Values[i], 1e-6);
        Assert.Equal(1, view.RoiPixels);                     // only the top-left reaches 70% of 1
        Assert.Equal(new BoundingBox(0, 0, 0, 0), view.RoiBox);
        Assert.Equal(0.3, view.ImageRoiRatios.Mean, 1e-12);
        Assert.Equal(12, view.Scores.Count);                 // every pixel of every image
        Assert.Equal(0.251054843266805, view.Scores.Mean, 1e-7);
    }

    [Fact]
    public void Class_view_brings_maps_of_another_size_to_its_grid()
    {
        var accumulator = new ClassLevelAccumulator(0, 4, 4);
        accumulator.Add(new ExplanationMap(2, 2, [0, 1, 2, 3]), 0);
        var expected = BilinearUpsampler.Resize(new ExplanationMap(2, 2, [0, 1, 2, 3]), 4, 4).Normalized(signed: false);
        Assert.Equal(expected.Values, accumulator.Build().AverageMap.Values);
    }
}
