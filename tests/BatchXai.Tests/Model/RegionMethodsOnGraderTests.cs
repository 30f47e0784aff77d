using BatchXai.Core;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using BatchXai.Core.Segmentation;
using BatchXai.Onnx.Model;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace BatchXai.Tests.Model;

/// <summary>lime, kernelshap and xrai on the bundled grader through ONNX Runtime, against independent references.</summary>
public sealed class RegionMethodsOnGraderTests(ITestOutputHelper output) : IDisposable
{
    private const int Classes = 5;
    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-regions-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    /// <summary>S_c of each input, by plain forward passes of the model, 16 at a time.</summary>
    private static double[] Scores(ExplainableModel model, float[] inputs, int count, int c)
    {
        int size = model.SampleSize;
        var scores = new double[count];
        for (int first = 0; first < count; first += 16)
        {
            int n = Math.Min(16, count - first);
            var logits = model.Forward(inputs.AsSpan(first * size, n * size).ToArray(), n).Logits;
            for (int i = 0; i < n; i++) scores[first + i] = logits[i * Classes + c];
        }
        return scores;
    }

    /// <summary>The input with the superpixels in <paramref name="on"/> kept and every other pixel black.</summary>
    private static float[] Masked(float[] x, Segments segments, InputGeometry geometry, Func<int, bool> on)
    {
        var copy = geometry.BlackImage();
        for (int p = 0; p < segments.Labels.Length; p++)
            if (on(segments.Labels[p]))
                for (int ch = 0; ch < geometry.Channels; ch++)
                {
                    int e = geometry.IndexOf(ch, p / geometry.Width, p % geometry.Width);
                    copy[e] = x[e];
                }
        return copy;
    }

    /// <summary>One value per superpixel of a painted map (asserting it is constant there).</summary>
    private static double[] PerSuperpixel(ExplanationMap map, Segments segments)
    {
        var values = new double[segments.Count];
        var pixels = segments.PixelsOf();
        for (int j = 0; j < segments.Count; j++)
        {
            values[j] = map.Values[pixels[j][0]];
            Assert.All(pixels[j], p => Assert.Equal(values[j], map.Values[p]));
        }
        return values;
    }

    [Fact]
    public void Kernelshap_with_few_superpixels_equals_exact_shapley_values_by_enumeration()
    {
        var (model, request) = GraderRequest.Prepare(_data, 1);
        using var _ = model;
        var geometry = request.Geometry!;
        var x = request.Inputs!.AsSpan(0, geometry.SampleSize).ToArray();
        int c = request.TargetClasses[0];
        var superpixels = new SuperpixelOptions(8, 10, BaselineKind.Black);
        var segments = superpixels.Segment(x, geometry);
        int m = segments.Count;
        Assert.InRange(m, 2, 10);
        var phi = PerSuperpixel(new KernelShapMethod(superpixels, samples: 1024).Explain(request)[0], segments);

        // Brute force: every coalition scored, φ_i = Σ_{S ∌ i} |S|!(M−|S|−1)!/M! (f(S ∪ i) − f(S)).
        int coalitions = 1 << m;
        var inputs = new float[coalitions * geometry.SampleSize];
        for (int s = 0; s < coalitions; s++)
            Masked(x, segments, geometry, j => (s >> j & 1) == 1).CopyTo(inputs, s * geometry.SampleSize);
        var f = Scores(model, inputs, coalitions, c);
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (int k = 1; k <= m; k++) factorial[k] = factorial[k - 1] * k;
        var exact = new double[m];
        for (int i = 0; i < m; i++)
            for (int s = 0; s < coalitions; s++)
            {
                if ((s >> i & 1) == 1) continue;
                int size = System.Numerics.BitOperations.PopCount((uint)s);
                exact[i] += factorial[size] * factorial[m - size - 1] / factorial[m] * (f[s | 1 << i] - f[s]);
            }
        double worst = exact.Zip(phi).Max(p => Math.Abs(p.First - p.Second));
        double gap = f[coalitions - 1] - f[0];
        output.WriteLine($"{m} superpixels: S_c(x) − S_c(black) = {gap:F5}, Σφ = {phi.Sum():F5}, exact Shapley {string.Join(" ", exact.Select(v => v.ToString("F4")))}; max |kernelshap − exact| = {worst:E2}");
        Assert.True(worst <= 1e-4, $"max abs error {worst:E2}");
        Assert.Equal(gap, phi.Sum(), 1e-4);
    }

    [Fact]
    public void Sampled_kernelshap_keeps_efficiency_and_redelivery_gives_the_same_map()
    {
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        var geometry = request.Geometry!;
        int size = geometry.SampleSize;
        var method = (KernelShapMethod)KernelShapMethod.Descriptor.Create(MethodOptions.Defaults);
        var maps = method.Explain(request);
        var again = method.Explain(request);
        for (int b = 0; b < request.Batch; b++)
        {
            var x = request.Inputs!.AsSpan(b * size, size).ToArray();
            var segments = SuperpixelOptions.From(MethodOptions.Defaults).Segment(x, geometry);
            var phi = PerSuperpixel(maps[b], segments);
            var ends = Scores(model, [.. geometry.BlackImage(), .. x], 2, request.TargetClasses[b]);
            output.WriteLine($"image {b}: {segments.Count} superpixels, Σφ = {phi.Sum():F5}, S_c(x) − S_c(black) = {ends[1] - ends[0]:F5}");
            Assert.True(segments.Count > 10, "the default superpixel count must take the sampled path");
            Assert.Equal(ends[1] - ends[0], phi.Sum(), 1e-4);
            Assert.Equal(maps[b].Values, again[b].Values);
        }
    }

    [Fact]
    public void Lime_ridge_equals_the_augmented_least_squares_solution()
    {
        // Ridge with an unpenalised intercept is least squares on [√W·Z, √W·1; √λ·I, 0] — solved here by QR.
        var random = new Random(3);
        const int n = 60, m = 7;
        var z = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => random.Next(2) == 1).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => 0.1 + random.NextDouble()).ToArray();
        const double lambda = 1.0;
        var a = Matrix<double>.Build.Dense(n + m, m + 1);
        var rhs = Vector<double>.Build.Dense(n + m);
        for (int i = 0; i < n; i++)
        {
            double s = Math.Sqrt(w[i]);
            for (int j = 0; j < m; j++) a[i, j] = z[i][j] ? s : 0;
            a[i, m] = s;
            rhs[i] = s * y[i];
        }
        for (int j = 0; j < m; j++) a[n + j, j] = Math.Sqrt(lambda);
        var reference = a.QR().Solve(rhs);
        var ours = LimeMethod.WeightedRidge(z, y, w, lambda);
        double worst = ours.Select((v, j) => Math.Abs(v - reference[j])).Max();
        output.WriteLine($"weighted ridge vs augmented least squares: max abs difference {worst:E2}");
        Assert.True(worst <= 1e-10, $"{worst:E2}");
        // LIME's kernel on cosine distance: half the superpixels on → d = 1 − √½, π = √exp(−d²/0.25²).
        var half = new[] { true, false, true, false };
        Assert.Equal(1 - Math.Sqrt(0.5), LimeMethod.CosineDistanceToAllOnes(half), 12);
        Assert.Equal(Math.Exp(-Math.Pow(1 - Math.Sqrt(0.5), 2) / 0.0625 / 2), LimeMethod.Kernel(1 - Math.Sqrt(0.5), 0.25), 12);
    }

    [Fact]
    public void Lime_paints_superpixels_and_is_the_same_under_redelivery_and_regrouping()
    {
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        var geometry = request.Geometry!;
        int size = geometry.SampleSize;
        var options = new MethodOptions(new Dictionary<string, string> { ["lime-samples"] = "96", ["superpixels"] = "30" });
        var method = LimeMethod.Descriptor.Create(options);
        var maps = method.Explain(request);
        Assert.Equal(maps[1].Values, method.Explain(request)[1].Values);
        // The second image alone (a batch regrouped on redelivery) draws the same samples.
        var alone = new ExplanationRequest(new FeatureBatch(1, request.Features.Channels, request.Features.Height, request.Features.Width,
            request.Features.Values.AsSpan(request.Features.SampleSize).ToArray()), request.Logits[Classes..], [request.TargetClasses[1]], request.Head)
        { Inputs = request.Inputs!.AsSpan(size, size).ToArray(), Geometry = geometry, Scores = model };
        Assert.Equal(maps[1].Values, method.Explain(alone)[0].Values);
        var segments = SuperpixelOptions.From(options).Segment(request.Inputs.AsSpan(size, size), geometry);
        var weights = PerSuperpixel(maps[1], segments);
        output.WriteLine($"lime, {segments.Count} superpixels: weights from {weights.Min():F4} to {weights.Max():F4}");
        Assert.True(weights.Max() > weights.Min());
    }

    [Fact]
    public void Xrai_ranking_equals_pairs_greedy_loop_recomputed_from_masks()
    {
        var (model, request) = GraderRequest.Prepare(_data, 1);
        using var _ = model;
        var geometry = request.Geometry!;
        var x = request.Inputs!.AsSpan(0, geometry.SampleSize).ToArray();
        var segmentations = XraiMethod.Segmentations(x, geometry).ToList();
        var regions = RegionMasks.Dilated(segmentations, XraiMethod.DefaultDilation);
        int n = geometry.PlaneSize, width = geometry.Width;

        // Dilation against its definition on the first regions of the finest segmentation.
        var finest = segmentations[0];
        for (int s = 0; s < 3; s++)
        {
            var members = finest.PixelsOf()[s];
            var expected = Enumerable.Range(0, n).Where(q => members.Any(p =>
                Math.Pow(p / width - q / width, 2) + Math.Pow(p % width - q % width, 2) <= 25)).ToArray();
            Assert.Equal(expected, regions[s]);
        }

        // PAIR's loop, literally: masks as sets, the gain recomputed from scratch every step.
        var random = new Random(11);
        var attribution = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var ours = GreedyRegionRanking.Rank(regions, attribution);
        var reference = Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
        var current = new bool[n];
        var remaining = Enumerable.Range(0, regions.Count).ToList();
        while (true)
        {
            double bestGain = double.NegativeInfinity;
            int best = -1;
            foreach (int r in remaining.ToList())
            {
                var added = regions[r].Where(p => !current[p]).ToArray();
                if (added.Length < GreedyRegionRanking.DefaultMinNewPixels) { remaining.Remove(r); continue; }
                double gain = added.Average(p => (double)attribution[p]);
                if (gain > bestGain) { bestGain = gain; best = r; }
            }
            if (remaining.Count == 0) break;
            foreach (int p in regions[best].Where(p => !current[p])) { reference[p] = bestGain; current[p] = true; }
            remaining.Remove(best);
        }
        var rest = Enumerable.Range(0, n).Where(p => !current[p]).ToArray();
        foreach (int p in rest) reference[p] = rest.Average(q => (double)attribution[q]);
        double worst = ours.Select((v, p) => Math.Abs(v - reference[p])).Max();
        output.WriteLine($"{segmentations.Count} segmentations ({string.Join(", ", segmentations.Select(s => s.Count))} segments), {regions.Count} regions, {rest.Length} pixels uncovered; max |incremental − recomputed| = {worst:E2}");
        Assert.True(worst <= 1e-5, $"{worst:E2}");
    }

    [Fact]
    public void Xrai_map_ranks_regions_and_is_the_same_under_redelivery()
    {
        var (model, request) = GraderRequest.Prepare(_data, 1);
        using var _ = model;
        var method = XraiMethod.Descriptor.Create(new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "8" }));
        var map = method.Explain(request)[0];
        Assert.Equal(map.Values, method.Explain(request)[0].Values);
        var levels = map.Values.Distinct().Count();
        output.WriteLine($"xrai map: {levels} distinct region gains from {map.Values.Min():G4} to {map.Values.Max():G4}");
        Assert.All(map.Values, v => Assert.True(float.IsFinite(v)));
        Assert.InRange(levels, 2, map.Values.Length / GreedyRegionRanking.DefaultMinNewPixels + 1);
    }
}
