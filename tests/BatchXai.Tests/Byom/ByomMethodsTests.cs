using System.Numerics.Tensors;
using BatchXai.Core.Gradients;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using BatchXai.Onnx.Model;
using BatchXai.Worker;
using Xunit.Abstractions;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Byom;

/// <summary>
/// The methods on the older-opset, softmax/sigmoid-ended exports, loaded as a user's manifest is:
/// CAM and CRM against numpy (closed form) or torch float64 (head ablation) references, IG
/// completeness, and every method producing finite, non-constant maps.
/// </summary>
public class ByomMethodsTests(ByomExports exports, ITestOutputHelper output) : IClassFixture<ByomExports>
{
    private (ExplainableModel Model, ExplanationRequest Request) Prepare(string net)
    {
        var model = ExplainableModel.Load(exports.Manifest(net), maxBatch: 8);
        var input = exports.Array(net, "input");
        var count = input.Shape[0];
        var forward = model.Forward(input.Data, count);
        int classes = model.Head.Classes;
        var predicted = Enumerable.Range(0, count).Select(i => TensorPrimitives.IndexOfMax(forward.Logits.AsSpan(i * classes, classes))).ToArray();
        var request = new ExplanationRequest(forward.Features, forward.Logits, predicted, model.Head, forward.ClassScoreMaps)
        {
            Inputs = input.Data,
            Geometry = LoadedModel.GeometryOf(model.Manifest),
            Gradients = model.Gradients,
            ClassResponses = model.ClassResponses,
            Scores = model,
        };
        return (model, request);
    }

    [Theory]
    [MemberData(nameof(ByomExports.GapLinear), MemberType = typeof(ByomExports))]
    public void Cam_matches_numpy(string net)
    {
        var (model, request) = Prepare(net);
        using var _ = model;
        var maps = new CamMethod().Explain(request);
        var error = Error(exports.Array(net, "cam").Data, maps);
        output.WriteLine($"{net}: CAM vs numpy float64: {error:E2}");
        Assert.True(error <= 1e-4, $"{net}: CAM relative error {error:E2}");
    }

    [Theory]
    [MemberData(nameof(ByomExports.Explained), MemberType = typeof(ByomExports))]
    public void Crm_matches_the_float64_reference(string net)
    {
        var (model, request) = Prepare(net);
        using var _ = model;
        var maps = new CrmMethod().Explain(request);
        // A multi-label (sigmoid) head's CRM is the explained finding's own node: (S_f − S_f(l,m))² = CAM_f² / (uv)², numpy's CAM.
        int area = maps[0].Height * maps[0].Width;
        var reference = model.Head.MultiLabel
            ? exports.Array(net, "cam").Data.Select(c => c * c / ((float)area * area)).ToArray()
            : exports.Array(net, "crm").Data;
        var error = Error(reference, maps);
        output.WriteLine($"{net} ({model.Head.Kind} head): CRM vs float64 reference: {error:E2}");
        Assert.True(error <= 1e-3, $"{net}: CRM relative error {error:E2}");
    }

    /// <summary>
    /// Black baseline, trapezoid rule. Along the path the random-weight ResNet-18's integrand jumps at
    /// ReLU kinks, so it needs more steps (measured at 128 steps: 5.7% on image 0). The random
    /// MobileNetV3-Small is left out: its scores barely depend on the input (S_c(x) − S_c(x') ≈ 1e-9).
    /// </summary>
    [Theory]
    [InlineData("resnet18_op9", 1024)]
    [InlineData("ops_op11", 128)]
    [InlineData("nhwc_op10", 128)]
    public void Integrated_gradients_are_complete(string net, int steps)
    {
        var (model, request) = Prepare(net);
        using var _ = model;
        var maps = new IntegratedGradientsMethod(steps).Explain(request);
        int size = request.Geometry!.SampleSize, classes = model.Head.Classes;
        for (int b = 0; b < request.Batch; b++)
        {
            int c = request.TargetClasses[b];
            var ends = new float[2 * size];
            Baseline.For(BaselineKind.Black, request.Inputs.AsSpan(b * size, size), request.Geometry).CopyTo(ends, 0);
            request.Inputs.AsSpan(b * size, size).CopyTo(ends.AsSpan(size));
            var logits = model.Gradients.Compute(ends, 2, new float[2 * classes], GradientRule.Exact, withTargetLayer: false).Logits;
            double gap = logits[classes + c] - logits[c], delta = maps[b].CompletenessDelta!.Value;
            output.WriteLine($"{net}, image {b}: S_c(x) - S_c(x') = {gap:F4}, completeness delta {delta:G3} ({Math.Abs(delta / gap):P3})");
            Assert.True(Math.Abs(delta) <= 0.01 * Math.Abs(gap), $"{net}, image {b}: delta {delta} vs gap {gap}");
        }
    }

    [Fact]
    public void Every_method_explains_an_opset_9_softmax_model()
    {
        var (model, request) = Prepare("resnet18_op9");
        using var _ = model;
        foreach (var method in MethodRegistry.Resolve(string.Join(",", MethodRegistry.Names)))
        {
            var maps = method.Explain(request);
            Assert.Equal(request.Batch, maps.Length);
            foreach (var map in maps)
            {
                Assert.All(map.Values, v => Assert.True(float.IsFinite(v), $"{method.Name}: non-finite map value"));
                Assert.True(map.Values.Max() > map.Values.Min(), $"{method.Name}: constant map");
            }
            output.WriteLine($"{method.Name}: {maps[0].Height}x{maps[0].Width} maps");
        }
    }

    private static double Error(float[] reference, ExplanationMap[] maps) =>
        RelativeError(reference.Select(v => (double)v).ToArray(), maps.SelectMany(m => m.Values).Select(v => (double)v).ToArray());
}
