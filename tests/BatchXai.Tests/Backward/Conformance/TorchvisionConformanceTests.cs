using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Model;
using Xunit.Abstractions;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward.Conformance;

/// <summary>
/// Conformance with PyTorch on real architectures: each torchvision net, exported with random
/// weights, is prepared by the backward-graph builder and run by <see cref="OnnxGradientEngine"/>
/// (float32, ONNX Runtime CPU) on the batch the script recorded; its logits, input gradient,
/// target-layer activations and target-layer gradient of sum(seed · logits) are compared with
/// torch's float64 autograd. Error = max |diff| / max |reference| over the whole batch, ≤ 1e-3.
/// </summary>
public class TorchvisionConformanceTests(TorchvisionExports exports, ITestOutputHelper output) : IClassFixture<TorchvisionExports>
{
    private const double Tolerance = 1e-3;

    /// <summary>
    /// The gradients are first compared with torch's plain float64 gradients. Where that misses the
    /// tolerance, the cause is a few ReLU/max-pool kinks that float32 and float64 decide differently
    /// (torch's own float32 gradient misses by more: metadata.torchFloat32InputGradError), so they are
    /// then compared with torch float64 gradients on the linear piece ONNX Runtime's forward pass took
    /// (align_kinks.py), and the number of kinks decided differently is printed.
    /// </summary>
    [Theory]
    [MemberData(nameof(TorchvisionExports.Nets), MemberType = typeof(TorchvisionExports))]
    public void Input_and_target_layer_gradients_match_torch_autograd(string net)
    {
        var inspected = ModelInspector.Inspect(exports.Manifest(net));
        var manifest = inspected.Manifest;
        var (input, seed, target) = (exports.Array(net, "input"), exports.Array(net, "seed"), exports.Array(net, "target"));
        var count = input.Shape[0];
        using var engine = new OnnxGradientEngine(inspected.Graph, manifest,
            (target.Shape[1], target.Shape[2], target.Shape[3]), [.. input.Shape[1..].Select(d => (long)d)], null, count);

        var result = engine.Compute(input.Data, count, seed.Data, GradientRule.Exact, withTargetLayer: true);

        var forward = new Dictionary<string, double>
        {
            ["logits"] = Error(exports.Array(net, "logits").Data, result.Logits),
            ["target layer"] = Error(target.Data, result.Features!.Values),
        };
        var plain = new Dictionary<string, double>
        {
            ["input gradient"] = Error(exports.Array(net, "input_grad").Data, result.InputGradients),
            ["target gradient"] = Error(exports.Array(net, "target_grad").Data, result.FeatureGradients!.Values),
        };
        output.WriteLine($"{net} (target layer {manifest.TargetLayer}): vs torch float64: {Describe(forward)}, {Describe(plain)}");
        AssertWithin(net, forward);
        if (plain.Values.All(e => e <= Tolerance))
            return;

        var prepared = BackwardGraphBuilder.Build(inspected.Graph.Model,
            new BackwardOptions(manifest.Input.Name, manifest.Outputs.Logits, manifest.TargetLayer, GradientRule.Exact));
        var aligned = exports.Aligned(net, prepared);
        Assert.True(Error(aligned.RecordedInputGrad, result.InputGradients) <= 1e-6, "the run that recorded the kinks is not the engine's run");
        var onPiece = new Dictionary<string, double>
        {
            ["input gradient"] = Error(aligned.InputGrad.Data, result.InputGradients),
            ["target gradient"] = Error(aligned.TargetGrad.Data, result.FeatureGradients.Values),
        };
        output.WriteLine($"{net}: {aligned.ReluFlips} ReLU units and {aligned.MaxPoolFlips} max-pool switches decided differently in float32; " +
                         $"vs torch float64 on ONNX Runtime's linear piece: {Describe(onPiece)}");
        AssertWithin(net, onPiece);
    }

    private static void AssertWithin(string net, Dictionary<string, double> errors) =>
        Assert.All(errors, e => Assert.True(e.Value <= Tolerance, $"{net}: {e.Key} relative error {e.Value:E2} > {Tolerance:E0}"));

    private static string Describe(Dictionary<string, double> errors) => string.Join(", ", errors.Select(e => $"{e.Key} {e.Value:E2}"));

    private static double Error(float[] reference, float[] actual) =>
        RelativeError(reference.Select(v => (double)v).ToArray(), actual.Select(v => (double)v).ToArray());
}
