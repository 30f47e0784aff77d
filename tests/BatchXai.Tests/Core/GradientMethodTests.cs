using BatchXai.Core;
using BatchXai.Core.Heads;
using BatchXai.Core.Methods;
using BatchXai.Core.Paths;

namespace BatchXai.Tests.Core;

public class GradientMethodTests
{
    internal const int C = 3, H = 4, W = 5, N = 4, Batch = 2, Spatial = H * W;
    private static readonly float[] BlackPixel = [-2f, -1.5f, -1f];
    private static readonly float[] WhitePixel = [2f, 2.5f, 1f];

    internal static (QuadraticGapModel model, ExplanationRequest request, float[] inputs, LinearHead head) Problem(int seed, int[] targets)
    {
        var random = new Random(seed);
        var weights = ReferenceHeads.Random(random, N * C);
        var bias = ReferenceHeads.Random(random, N);
        var model = new QuadraticGapModel(C, H, W, weights, bias);
        var inputs = ReferenceHeads.Random(random, Batch * C * Spatial, 2.0);
        var forward = model.Compute(inputs, Batch, new float[Batch * N], BatchXai.Core.Gradients.GradientRule.Exact, withTargetLayer: true);
        model.BatchSizes.Clear();
        var head = new LinearHead(N, C, weights, bias);
        var request = new ExplanationRequest(forward.Features!, forward.Logits, targets, ModelHead.ForLinear(head))
        {
            Inputs = inputs,
            Geometry = new InputGeometry(C, H, W, ChannelsLast: false, BlackPixel, WhitePixel),
            Scores = model,
            Gradients = model,
        };
        return (model, request, inputs, head);
    }

    [Fact]
    public void GradCam_is_relu_of_cam_scaled_by_one_over_uv_on_a_gap_linear_head()
    {
        var (_, request, _, _) = Problem(1, [0, 3]);
        var gradcam = new GradCamMethod().Explain(request);
        var cam = new CamMethod().Explain(request);
        for (int b = 0; b < Batch; b++)
            for (int p = 0; p < Spatial; p++)
                Assert.Equal(Math.Max(0, cam[b].Values[p]) / Spatial, gradcam[b].Values[p], 1e-6);
    }

    [Fact]
    public void Saliency_is_the_largest_absolute_channel_gradient_and_gradxinput_the_channel_sum()
    {
        var (_, request, inputs, head) = Problem(2, [1, 2]);
        var saliency = new SaliencyMethod().Explain(request);
        var gradxinput = new SaliencyMethod(timesInput: true).Explain(request);
        for (int b = 0; b < Batch; b++)
        {
            var w = head.ClassWeights(request.TargetClasses[b]);
            for (int p = 0; p < Spatial; p++)
            {
                double max = 0, sum = 0;
                for (int k = 0; k < C; k++)
                {
                    double x = inputs[b * C * Spatial + k * Spatial + p];
                    double g = 2 * w[k] * x / Spatial;
                    max = Math.Max(max, Math.Abs(g));
                    sum += g * x;
                }
                Assert.Equal(max, saliency[b].Values[p], 1e-6);
                Assert.Equal(sum, gradxinput[b].Values[p], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(BaselineKind.Black, QuadratureRule.Trapezoid)]
    [InlineData(BaselineKind.Zeros, QuadratureRule.Trapezoid)]
    [InlineData(BaselineKind.Blur, QuadratureRule.GaussLegendre)]
    [InlineData(BaselineKind.Noise, QuadratureRule.GaussLegendre)]
    public void Integrated_gradients_match_the_closed_form_and_are_complete(BaselineKind baseline, QuadratureRule rule)
    {
        var (model, request, inputs, head) = Problem(3, [2, 0]);
        const int steps = 8;
        var maps = new IntegratedGradientsMethod(steps, baseline, rule, blurSigma: 1.5).Explain(request);

        for (int b = 0; b < Batch; b++)
        {
            int c = request.TargetClasses[b];
            var w = head.ClassWeights(c);
            var x = inputs.AsSpan(b * C * Spatial, C * Spatial);
            var start = Baseline.For(baseline, x, request.Geometry!, blurSigma: 1.5);
            for (int p = 0; p < Spatial; p++)
            {
                double expected = 0;
                for (int k = 0; k < C; k++)
                {
                    double xi = x[k * Spatial + p], si = start[k * Spatial + p];
                    expected += w[k] * (xi * xi - si * si) / Spatial; // the integrand is linear in α: both rules are exact
                }
                Assert.Equal(expected, maps[b].Values[p], 1e-5);
            }
            double gap = model.Score(x, c) - model.Score(start, c);
            Assert.True(Math.Abs(maps[b].CompletenessDelta!.Value) <= 1e-4 * Math.Max(1, Math.Abs(gap)), $"delta {maps[b].CompletenessDelta} for gap {gap}");
        }
        // Every path point of the images in one call: trapezoid's m+1 nodes, or m Gauss–Legendre nodes and the two ends, per image.
        int points = rule == QuadratureRule.Trapezoid ? steps + 1 : steps + 2;
        Assert.Equal([Batch * points], model.BatchSizes);
    }

    [Fact]
    public void Method_options_are_parsed_and_bad_values_name_the_option()
    {
        var ig = (IntegratedGradientsMethod)MethodRegistry.Resolve("ig", new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "64" }))[0];
        Assert.Equal(64, ig.Steps);
        var tooMany = Assert.Throws<ArgumentException>(() => MethodRegistry.Resolve("ig", new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "0" })));
        Assert.Contains("--ig-steps", tooMany.Message);
        var badBaseline = Assert.Throws<ArgumentException>(() => MethodRegistry.Resolve("ig", new MethodOptions(new Dictionary<string, string> { ["ig-baseline"] = "static" })));
        Assert.Contains("black, zeros, blur, noise", badBaseline.Message);
        var gauss = (IntegratedGradientsMethod)MethodRegistry.Resolve("ig", new MethodOptions(new Dictionary<string, string> { ["ig-rule"] = "gauss-legendre", ["ig-baseline"] = "noise" }))[0];
        Assert.Equal((QuadratureRule.GaussLegendre, BaselineKind.Noise), (gauss.Rule, gauss.BaselineKind));
        var badRule = Assert.Throws<ArgumentException>(() => MethodRegistry.Resolve("ig", new MethodOptions(new Dictionary<string, string> { ["ig-rule"] = "simpson" })));
        Assert.Contains("trapezoid, gauss-legendre", badRule.Message);
        var badSigma = Assert.Throws<ArgumentException>(() => MethodRegistry.Resolve("smoothgrad", new MethodOptions(new Dictionary<string, string> { ["smoothgrad-sigma"] = "lots" })));
        Assert.Contains("--smoothgrad-sigma", badSigma.Message);
    }

    [Fact]
    public void Gradient_methods_say_what_they_miss_without_a_gradient_engine()
    {
        var (_, request, _, _) = Problem(4, [0, 0]);
        var bare = new ExplanationRequest(request.Features, request.Logits, request.TargetClasses, request.Head);
        var error = Assert.Throws<InvalidOperationException>(() => new GradCamMethod().Explain(bare));
        Assert.Contains("gradcam", error.Message);
    }
}
