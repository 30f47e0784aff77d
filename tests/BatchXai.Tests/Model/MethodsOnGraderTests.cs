using BatchXai.Core;
using BatchXai.Core.Gradients;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using BatchXai.Imaging;
using BatchXai.Onnx.Model;
using BatchXai.Tests.Backward;
using BatchXai.Tests.Imaging;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Model;

/// <summary>The path, perturbation and rule-based methods on the bundled grader through ONNX Runtime.</summary>
public sealed class MethodsOnGraderTests(ITestOutputHelper output) : IDisposable
{
    private const int Classes = 5;
    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-methods-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    /// <summary>S_c at the given model inputs, from the same backward session the methods use.</summary>
    private static double[] Scores(ExplainableModel model, float[] points, int count, int c)
    {
        var seeds = new float[count * Classes];
        var logits = model.Gradients.Compute(points, count, seeds, GradientRule.Exact, withTargetLayer: false).Logits;
        return Enumerable.Range(0, count).Select(i => (double)logits[i * Classes + c]).ToArray();
    }

    private void AssertComplete(string what, ExplanationRequest request, ExplanationMap[] maps, Func<int, float[]> startOf, ExplainableModel model, double tolerance)
    {
        int size = request.Geometry!.SampleSize;
        for (int b = 0; b < request.Batch; b++)
        {
            int c = request.TargetClasses[b];
            var ends = new float[2 * size];
            startOf(b).CopyTo(ends, 0);
            request.Inputs.AsSpan(b * size, size).CopyTo(ends.AsSpan(size));
            var s = Scores(model, ends, 2, c);
            double gap = s[1] - s[0], delta = maps[b].CompletenessDelta!.Value;
            output.WriteLine($"{what}, image {b}: S_c(x) - S_c(x') = {gap:F4}, completeness delta = {delta:G3} ({Math.Abs(delta / gap):P3})");
            Assert.True(Math.Abs(delta) <= tolerance * Math.Abs(gap), $"{what}, image {b}: delta {delta} vs gap {gap}");
        }
    }

    [Theory]
    [InlineData(QuadratureRule.Trapezoid, BaselineKind.Black, 0.01)]
    [InlineData(QuadratureRule.GaussLegendre, BaselineKind.Black, 0.02)]
    [InlineData(QuadratureRule.GaussLegendre, BaselineKind.Blur, 0.01)]
    [InlineData(QuadratureRule.Trapezoid, BaselineKind.Noise, 0.01)]
    public void Integrated_gradients_at_64_steps_are_complete_within_the_stated_tolerance(QuadratureRule rule, BaselineKind baseline, double tolerance)
    {
        // Along the straight line this ReLU/max-pool grader's integrand ∂S_c/∂x·(x − x') wiggles at the
        // 1/64 scale in α (measured: ±5 around a mean of 7 for image 1), so 64 evaluations of any rule
        // err by up to ~1.5%: 64 Gauss–Legendre nodes (whose mid-path spacing is π/2 wider than the
        // trapezoid's) gave 0.24% and 1.40% on these images, 128 nodes still 1.1%; 512 trapezoid steps 0.08%.
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        var maps = new IntegratedGradientsMethod(64, baseline, rule).Explain(request);
        int size = request.Geometry!.SampleSize;
        AssertComplete($"ig {rule} {baseline}", request, maps,
            b => Baseline.For(baseline, request.Inputs.AsSpan(b * size, size), request.Geometry), model, tolerance);
    }

    [Fact]
    public void Blur_ig_with_64_gauss_legendre_nodes_is_complete_within_two_percent()
    {
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        var maps = new BlurIntegratedGradientsMethod().Explain(request);
        int size = request.Geometry!.SampleSize;
        AssertComplete("blurig 64 gauss-legendre", request, maps,
            b => Baseline.For(BaselineKind.Blur, request.Inputs.AsSpan(b * size, size), request.Geometry), model, 0.02);
    }

    [Fact]
    public void Guided_ig_without_a_band_is_left_riemann_ig_along_the_straight_line()
    {
        // max_dist = 0 pins every feature to α = k/m at step k: the guided path is the straight line and
        // the attribution Σ_k ∂S_c/∂x(α_k) ⊙ (x − x')/m, a left Riemann sum — computed here by PathIntegral.
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        const int steps = 40;
        var guided = new GuidedIntegratedGradientsMethod(steps, maxDist: 0).Explain(request);
        var left = new Quadrature(Enumerable.Range(0, steps).Select(k => (double)k / steps).ToArray(), Enumerable.Repeat(1.0 / steps, steps).ToArray());
        int size = request.Geometry!.SampleSize;
        for (int b = 0; b < request.Batch; b++)
        {
            var x = request.Inputs.AsSpan(b * size, size).ToArray();
            var reference = PathIntegral.Integrate(model.Gradients, new StraightPath(request.Geometry.BlackImage(), x), left, request.TargetClasses[b], Classes, size);
            var expected = request.Geometry.ToPixelMap(reference.Attribution, ChannelCombine.Sum, 0f);
            // The guided path's points are computed in double, the straight path's in float: a last-bit
            // difference can flip a near-tied max-pool switch and move a few pixels' gradients, so the
            // maps are compared in L1 (and the largest single difference is only bounded loosely).
            double l1 = expected.Values.Zip(guided[b].Values).Sum(p => Math.Abs(p.First - p.Second)) / expected.Values.Sum(v => Math.Abs(v));
            double worst = expected.Values.Zip(guided[b].Values).Max(p => Math.Abs(p.First - p.Second)) / expected.Values.Max(Math.Abs);
            output.WriteLine($"image {b}: guided (max_dist 0) vs left-Riemann IG: relative L1 difference {l1:E2}, largest pixel difference {worst:E2} of the max; deltas {guided[b].CompletenessDelta:G4} / {reference.CompletenessDelta:G4}");
            Assert.True(l1 <= 1e-3 && worst <= 2e-2, $"image {b}: L1 {l1:E2}, worst {worst:E2}");
            Assert.Equal(reference.CompletenessDelta, guided[b].CompletenessDelta!.Value, Math.Max(1e-3, 1e-3 * Math.Abs(reference.ScoreGap)));
        }
    }

    [Fact]
    public void Guided_ig_at_the_reference_defaults_records_its_true_completeness_delta()
    {
        // Guided IG moves a selected feature across up to 2·max_dist of its range on one gradient
        // evaluation, so on a ReLU/max-pool net its sum need not approach S_c(x) − S_c(x') (see README).
        // What must hold: the recorded delta is Σ map − (S_c(x) − S_c(x')), measured independently here.
        var (model, request) = GraderRequest.Prepare(_data, 2);
        using var _ = model;
        var maps = new GuidedIntegratedGradientsMethod().Explain(request);
        int size = request.Geometry!.SampleSize;
        for (int b = 0; b < request.Batch; b++)
        {
            var ends = new float[2 * size];
            request.Geometry.BlackImage().CopyTo(ends, 0);
            request.Inputs.AsSpan(b * size, size).CopyTo(ends.AsSpan(size));
            var s = Scores(model, ends, 2, request.TargetClasses[b]);
            double gap = s[1] - s[0], sum = maps[b].Values.Sum(v => (double)v);
            output.WriteLine($"guidedig 200 steps, image {b}: S_c(x) - S_c(x') = {gap:F4}, sum of map = {sum:F4}, delta {maps[b].CompletenessDelta:G4} ({Math.Abs(maps[b].CompletenessDelta!.Value / gap):P1})");
            Assert.Equal(sum - gap, maps[b].CompletenessDelta!.Value, Math.Max(1e-3, 1e-3 * Math.Abs(gap)));
            Assert.True(maps[b].Values.Any(v => v != 0));
        }
    }

    [Fact]
    public void Guided_backprop_matches_torch_with_the_guided_relu()
    {
        var reference = BackwardFixtures.Record("dr_grader.guided");
        using var model = ExplainableModel.Load(PointingGameTests.BundledModel("dr_grader.json"));
        var seed = reference.GetProperty("seed").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var input = TorchAutogradTests.GraderInput(); // the formula the fixture script shares
        var gradient = model.Gradients.Compute(input, 1, seed, GradientRule.GuidedBackprop, withTargetLayer: false).InputGradients;

        var scale = reference.GetProperty("max_abs_grad").GetDouble();
        Assert.Equal(scale, gradient.Max(Math.Abs), scale * 1e-3);
        var indices = reference.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var expected = reference.GetProperty("grad").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var worst = indices.Select((pixel, k) => Math.Abs(gradient[pixel] - expected[k])).Max() / scale;
        output.WriteLine($"guided backprop vs torch: max relative error {worst:E2} over {indices.Length} pixels");
        Assert.True(worst <= 1e-3, $"relative error {worst:E2}");

        // The method's map is max over channels of |that gradient| (here for class 2, as the seed).
        var request = new ExplanationRequest(new FeatureBatch(1, 1, 1, 1, [0f]), new float[Classes], [2], model.Head)
        {
            Inputs = input, Geometry = Worker.LoadedModel.GeometryOf(model.Manifest), Gradients = model.Gradients,
        };
        var map = new GuidedBackpropMethod().Explain(request)[0];
        int pixel = indices[0] % (160 * 160);
        Assert.Equal(Enumerable.Range(0, 3).Max(ch => Math.Abs(gradient[ch * 160 * 160 + pixel])), map.Values[pixel], 1e-6);
    }

    [Fact]
    public void GradCamPlusPlus_matches_numpy_on_an_inner_layer_with_spatially_varying_gradients()
    {
        // An earlier target layer (before the last pooling and conv) so ∂S_c/∂A varies over space
        // and the α of Grad-CAM++ really differ per position.
        foreach (var file in new[] { "dr_grader.onnx", "dr_grader.json" }) File.Copy(PointingGameTests.BundledModel(file), Path.Combine(_data, file));
        var manifest = Path.Combine(_data, "dr_grader.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("/trunk/body/body.14/Relu_output_0", "/trunk/body/body.10/Relu_output_0").Replace("\"gap-linear\"", "\"generic\""));
        var (model, request) = GraderRequest.Prepare(Path.Combine(_data, "images"), 2, manifest);
        using var _ = model;
        var maps = new GradCamPlusPlusMethod().Explain(request);

        var result = model.Gradients.Compute(request.Inputs!, 2, request.TargetSeeds(0, 2), GradientRule.Exact, withTargetLayer: true);
        var a = result.Features!;
        int[] shape = [2, a.Channels, a.Height, a.Width];
        File.WriteAllBytes(Path.Combine(_data, "a.npy"), NpyFile.ToBytes(a.Values, shape));
        File.WriteAllBytes(Path.Combine(_data, "g.npy"), NpyFile.ToBytes(result.FeatureGradients!.Values, shape));
        var expected = PythonReference.Run("""
            import sys, numpy as np
            a = np.load(sys.argv[1]).astype(np.float64); g = np.load(sys.argv[2]).astype(np.float64)
            s = a.sum(axis=(2, 3), keepdims=True)
            den = 2 * g**2 + s * g**3
            alpha = np.where(den != 0, g**2 / np.where(den != 0, den, 1), 0)
            w = (alpha * np.maximum(g, 0)).sum(axis=(2, 3), keepdims=True)
            cam = np.maximum((w * a).sum(axis=1), 0)
            print(" ".join(repr(v) for v in cam.ravel()))
            """, Path.Combine(_data, "a.npy"), Path.Combine(_data, "g.npy")).Split(' ').Select(double.Parse).ToArray();

        int spatial = a.SpatialSize;
        double varying = Enumerable.Range(0, a.Channels).Max(k => { var g = result.FeatureGradients.Sample(0).Slice(k * spatial, spatial).ToArray(); return g.Max() - g.Min(); });
        Assert.True(varying > 0, "the gradient is constant over space: the test would not exercise the per-position α");
        double worst = 0;
        for (int b = 0; b < 2; b++)
        {
            double scale = expected.Skip(b * spatial).Take(spatial).Max();
            Assert.True(scale > 0);
            for (int p = 0; p < spatial; p++) worst = Math.Max(worst, Math.Abs(maps[b].Values[p] - expected[b * spatial + p]) / scale);
        }
        output.WriteLine($"gradcam++ vs numpy on a {a.Height}x{a.Width} layer: max relative error {worst:E2}");
        Assert.True(worst <= 1e-4, $"relative error {worst:E2}");
    }

    [Fact]
    public void Occlusion_drops_equal_direct_forward_passes_with_the_patch_blacked_out()
    {
        var (model, request) = GraderRequest.Prepare(_data, 1);
        using var _ = model;
        const int patch = 20; // stride = patch: each pixel lies in exactly one window of the 8x8 grid on 160x160
        var map = new OcclusionMethod(patch, patch).Explain(request)[0];
        var geometry = request.Geometry!;
        int size = geometry.SampleSize, c = request.TargetClasses[0];
        var x = request.Inputs!.AsSpan(0, size).ToArray();
        foreach (var (top, left) in new[] { (0, 0), (60, 80), (140, 140), (80, 40) })
        {
            var occluded = (float[])x.Clone();
            for (int ch = 0; ch < 3; ch++)
                for (int y = top; y < top + patch; y++)
                    for (int col = left; col < left + patch; col++) occluded[geometry.IndexOf(ch, y, col)] = geometry.BlackPixel[ch];
            var logits = model.Forward([.. x, .. occluded], 2).Logits;
            double drop = logits[c] - logits[Classes + c];
            output.WriteLine($"occlusion window ({top},{left}): drop {drop:G4}, map {map[top + 7, left + 11]:G4}");
            Assert.Equal(drop, map[top + 7, left + 11], Math.Max(1e-4, 1e-4 * Math.Abs(drop)));
        }
    }
}
