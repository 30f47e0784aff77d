using System.Text.Json;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Model;
using Xunit.Abstractions;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Byom;

/// <summary>
/// Models exported at opsets 9–12 ending in Softmax/Sigmoid, explained from a hand-written manifest
/// that names the probability output plus "activation": upgraded in memory, the logits found before
/// the activation, the backward graph built and run by ONNX Runtime (float32), compared with torch's
/// float64 autograd as the torchvision conformance tests do: max |diff| / max |reference| ≤ 1e-3.
/// </summary>
public class OlderOpsetConformanceTests(ByomExports exports, ITestOutputHelper output) : IClassFixture<ByomExports>
{
    private const double Tolerance = 1e-3;

    [Theory]
    [MemberData(nameof(ByomExports.Explained), MemberType = typeof(ByomExports))]
    public void Gradients_of_the_found_logits_match_torch_autograd(string net)
    {
        var inspected = ModelInspector.Inspect(exports.Manifest(net));
        var manifest = inspected.Manifest;
        var exportedOpset = JsonDocument.Parse(File.ReadAllText(exports.Manifest(net))).RootElement.GetProperty("metadata").GetProperty("opset").GetInt64();
        Assert.Equal(exportedOpset, inspected.Graph.ExportedOpset);
        Assert.Equal(13, inspected.Graph.OpsetVersion);
        Assert.Equal("probabilities", manifest.Outputs.Probabilities);
        Assert.NotEqual("probabilities", manifest.Outputs.Logits);

        var (input, seed, target) = (exports.Array(net, "input"), exports.Array(net, "seed"), exports.Array(net, "target"));
        var count = input.Shape[0];
        using var engine = new OnnxGradientEngine(inspected.Graph, manifest,
            (target.Shape[1], target.Shape[2], target.Shape[3]), [.. input.Shape[1..].Select(d => (long)d)], null, count);
        var result = engine.Compute(input.Data, count, seed.Data, GradientRule.Exact, withTargetLayer: true);

        var errors = new Dictionary<string, double>
        {
            ["logits"] = Error(exports.Array(net, "logits").Data, result.Logits),
            ["target layer"] = Error(target.Data, result.Features!.Values),
            ["input gradient"] = Error(exports.Array(net, "input_grad").Data, result.InputGradients),
            ["target gradient"] = Error(exports.Array(net, "target_grad").Data, result.FeatureGradients!.Values),
        };
        output.WriteLine($"{net}: {string.Join("; ", inspected.Notes)}");
        output.WriteLine($"{net} vs torch float64: {string.Join(", ", errors.Select(e => $"{e.Key} {e.Value:E2}"))}");
        Assert.All(errors, e => Assert.True(e.Value <= Tolerance, $"{net}: {e.Key} relative error {e.Value:E2} > {Tolerance:E0}"));
    }

    private static double Error(float[] reference, float[] actual) =>
        RelativeError(reference.Select(v => (double)v).ToArray(), actual.Select(v => (double)v).ToArray());
}
