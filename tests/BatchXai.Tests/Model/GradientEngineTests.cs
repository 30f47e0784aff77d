using BatchXai.Core.Gradients;
using BatchXai.Core.Methods;
using BatchXai.Onnx.Model;
using Xunit.Abstractions;

namespace BatchXai.Tests.Model;

/// <summary>Gradient methods on the bundled grader through the ONNX backward graph.</summary>
public sealed class GradientEngineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-grad-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private (ExplainableModel Model, ExplanationRequest Request) Prepare(int images) => GraderRequest.Prepare(_data, images);

    [Fact]
    public void GradCam_equals_relu_of_cam_up_to_a_positive_scale_on_the_gap_linear_grader()
    {
        var (model, request) = Prepare(4);
        using var _ = model;
        var gradcam = new GradCamMethod().Explain(request);
        var cam = new CamMethod().Explain(request);
        int spatial = request.Features.SpatialSize;
        for (int b = 0; b < request.Batch; b++)
        {
            // For GAP → linear, ∂S_c/∂A_k(l,m) = w_ck/(uv), so Grad-CAM = ReLU(CAM_c)/(uv).
            float scale = cam[b].Values.Max();
            for (int p = 0; p < spatial; p++)
                Assert.True(Math.Abs(Math.Max(0, cam[b].Values[p]) / spatial - gradcam[b].Values[p]) <= 1e-4 * scale / spatial, $"image {b} position {p}");
        }
    }

    [Fact]
    public void Integrated_gradients_at_64_steps_are_complete_within_one_percent()
    {
        var (model, request) = Prepare(3);
        using var _ = model;
        var maps = new IntegratedGradientsMethod(steps: 64).Explain(request);
        for (int b = 0; b < request.Batch; b++)
        {
            // S_c(x) − S_c(x'): the same engine at the two ends of the path.
            int c = request.TargetClasses[b];
            var ends = new float[2 * request.Geometry!.SampleSize];
            request.Geometry.BlackImage().CopyTo(ends, 0);
            request.Inputs.AsSpan(b * request.Geometry.SampleSize, request.Geometry.SampleSize).CopyTo(ends.AsSpan(request.Geometry.SampleSize));
            var seeds = new float[10];
            seeds[c] = 1; seeds[5 + c] = 1;
            var scores = model.Gradients.Compute(ends, 2, seeds, GradientRule.Exact, withTargetLayer: false).Logits;
            double gap = scores[5 + c] - scores[c];
            double delta = maps[b].CompletenessDelta!.Value;
            output.WriteLine($"image {b}: S_c(x) - S_c(x') = {gap:F4}, completeness delta = {delta:G3} ({Math.Abs(delta / gap):P3})");
            Assert.True(Math.Abs(delta) <= 0.01 * Math.Abs(gap), $"image {b}: delta {delta} vs gap {gap}");
        }
    }

    [Fact]
    public void Saliency_matches_central_finite_differences_on_sampled_pixels()
    {
        var (model, request) = Prepare(1);
        using var _ = model;
        int size = model.SampleSize, c = request.TargetClasses[0];
        var x = request.Inputs!.AsSpan(0, size).ToArray();
        var seed = new float[5];
        seed[c] = 1;
        var analytic = model.Gradients.Compute(x, 1, seed, GradientRule.Exact, withTargetLayer: false).InputGradients;

        var random = new Random(5);
        const float h = 1e-2f;
        double worst = 0, scale = analytic.Max(Math.Abs);
        for (int trial = 0; trial < 24; trial++)
        {
            int i = random.Next(size);
            var plus = (float[])x.Clone(); plus[i] += h;
            var minus = (float[])x.Clone(); minus[i] -= h;
            var scores = model.Forward([.. plus, .. minus], 2).Logits;
            double numeric = (scores[c] - scores[5 + c]) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i]));
        }
        output.WriteLine($"worst |finite difference - backward graph| = {worst:G3} (max |gradient| {scale:G3})");
        Assert.True(worst <= 2e-2 * scale, $"worst {worst} vs scale {scale}");
    }
}
