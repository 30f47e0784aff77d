using BatchXai.Core.Aggregation;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Core;

/// <summary>
/// Signed maps keep their sign, and maps are scaled by their 99.5th percentile rather than their
/// maximum (README, "Signed maps and scaling"); numbers against numpy.
/// </summary>
public sealed class SignedMapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("batchxai-signed-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Save(string name, ExplanationMap map)
    {
        var path = Path.Combine(_dir, name + ".npy");
        File.WriteAllBytes(path, NpyFile.ToBytes(map.Values, [map.Height, map.Width]));
        return path;
    }

    /// <summary>A heavy-tailed signed map with one hot pixel, as gradient maps are.</summary>
    private static ExplanationMap HeavyTailed(int seed, int height = 37, int width = 23)
    {
        var random = new Random(seed);
        var map = new ExplanationMap(height, width);
        for (int i = 0; i < map.Values.Length; i++)
        {
            double u = random.NextDouble() - 0.4;
            map.Values[i] = (float)(Math.Sign(u) * Math.Pow(Math.Abs(u), 3) * 10);
        }
        map.Values[random.Next(map.Values.Length)] = 500f;
        return map;
    }

    [Fact]
    public void The_scale_and_normalised_maps_match_numpy_percentile_and_clip()
    {
        var map = HeavyTailed(5);
        var input = Save("input", map);
        var signed = Save("signed", map.Normalized(signed: true));
        var unsigned = Save("unsigned", map.Normalized(signed: false));

        var reference = PythonReference.Run("""
            import sys, numpy as np
            v = np.load(sys.argv[1]).astype(np.float64)
            s_signed, s_unsigned = np.percentile(np.abs(v), 99.5), np.percentile(v, 99.5)
            d_signed = np.abs(np.load(sys.argv[2]) - np.clip(v / s_signed, -1, 1)).max()
            d_unsigned = np.abs(np.load(sys.argv[3]) - np.clip(v / s_unsigned, 0, 1)).max()
            print(repr(s_signed), repr(s_unsigned), repr(d_signed), repr(d_unsigned))
            """, input, signed, unsigned).Split(' ').Select(double.Parse).ToArray();

        Assert.Equal(reference[0], map.Scale(signed: true), 1e-4);
        Assert.Equal(reference[1], map.Scale(signed: false), 1e-4);
        Assert.InRange(reference[2], 0, 1e-5);
        Assert.InRange(reference[3], 0, 1e-5);
        Assert.True(map.Normalized(signed: true).Values.Any(v => v < 0f), "the signed map keeps its negative evidence");
        Assert.True(map.Scale(signed: false) < map.Max() / 10, "the hot pixel is far above the scale");
    }

    [Fact]
    public void One_hot_pixel_does_not_shrink_the_roi_and_the_max_stays_in_the_stats()
    {
        var map = new ExplanationMap(20, 20);
        for (int y = 4; y < 10; y++)
            for (int x = 8; x < 14; x++) map[y, x] = 1f; // 36 px = 9% of the map
        map[18, 1] = 1000f;

        var stats = RoiStats.Compute(map, signed: false);

        Assert.Equal(1000f, stats.Max);
        Assert.Equal(1f, stats.Scale);      // numpy.percentile(map, 99.5) = 1
        Assert.Equal(37, stats.RoiPixels);  // the block and the hot pixel; 20% of the max would keep the hot pixel alone
        Assert.Equal(new BoundingBox(1, 4, 13, 18), stats.RoiBox);
    }

    [Fact]
    public void A_signed_roi_is_the_positive_part_scaled_by_the_magnitude_percentile()
    {
        var map = new ExplanationMap(10, 10);
        for (int i = 0; i < 30; i++) map.Values[i] = -2f;  // rows 0-2: against the class
        for (int i = 60; i < 80; i++) map.Values[i] = 1f;  // rows 6-7: for it, half as strong

        var stats = RoiStats.Compute(map, signed: true);

        Assert.Equal(2f, stats.Scale);     // percentile of |map|
        Assert.Equal(20, stats.RoiPixels); // 1 ≥ 0.2·2; the −2 rows never enter
        Assert.Equal(new BoundingBox(0, 6, 9, 7), stats.RoiBox);
        var normalized = map.Normalized(signed: true);
        Assert.Equal(-1f, normalized.Values[0]);
        Assert.Equal(0.5f, normalized.Values[60]);
    }

    [Fact]
    public void A_map_zero_almost_everywhere_falls_back_to_its_maximum()
    {
        // numpy.percentile of 399 zeros and one 5 (or |−7|) at 99.5 is 0: no scale to speak of.
        var map = new ExplanationMap(20, 20);
        map[3, 4] = 5f;
        var negative = new ExplanationMap(20, 20);
        negative[9, 9] = -7f;

        Assert.Equal(5f, map.Scale(signed: false));
        Assert.Equal(7f, negative.Scale(signed: true));
        Assert.Equal(1, RoiStats.Compute(map, signed: false).RoiPixels);
        Assert.Equal(0, RoiStats.Compute(negative, signed: true).RoiPixels); // no positive part
        Assert.Equal(0f, new ExplanationMap(2, 2, [-1, -2, -3, -4]).Scale(signed: false));
    }

    [Fact]
    public void Class_averages_of_signed_maps_stay_signed_and_match_numpy()
    {
        var a = HeavyTailed(11, 6, 7);
        var b = HeavyTailed(12, 6, 7);
        var accumulator = new ClassLevelAccumulator(1, 6, 7, bins: 20, signed: true);
        accumulator.Add(a, 0.1);
        accumulator.Add(b, 0.3);
        var view = accumulator.Build();
        var average = Save("average", view.AverageMap);

        var reference = PythonReference.Run("""
            import sys, numpy as np
            maps = [np.load(p).astype(np.float64) for p in sys.argv[1:3]]
            norm = [np.clip(m / np.percentile(np.abs(m), 99.5), -1, 1) for m in maps]
            mean = (norm[0] + norm[1]) / 2
            counts, _ = np.histogram(np.concatenate([n.ravel() for n in norm]), bins=20, range=(-1, 1))
            print(repr(np.abs(np.load(sys.argv[3]) - mean).max()), repr(mean.min()), ','.join(str(c) for c in counts))
            """, Save("a", a), Save("b", b), average).Split(' ');

        Assert.True(view.Signed);
        Assert.InRange(double.Parse(reference[0]), 0, 1e-6);
        Assert.True(double.Parse(reference[1]) < 0, "the numpy average has negative pixels");
        Assert.True(view.AverageMap.Values.Min() < 0, "so does ours: evidence against the class survives averaging");
        Assert.Equal(reference[2].Split(',').Select(long.Parse), view.Scores.Counts);
    }

    [Fact]
    public void Methods_whose_maps_carry_a_sign_declare_it()
    {
        string[] signed = ["gradxinput", "ig", "blurig", "guidedig", "occlusion", "lrp", "deeplift", "gradshap", "lime", "kernelshap"];
        Assert.Equal(signed.Order(), MethodRegistry.All.Where(d => d.Signed).Select(d => d.Name).Order());
        Assert.All(signed, name => Assert.True(MethodRegistry.IsSigned(name)));
        Assert.False(MethodRegistry.IsSigned("crm"));
        Assert.False(MethodRegistry.IsSigned("no-such-method"));
    }
}
