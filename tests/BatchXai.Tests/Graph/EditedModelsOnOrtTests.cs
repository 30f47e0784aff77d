using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;
using static BatchXai.Tests.Graph.GraphFixtures;

namespace BatchXai.Tests.Graph;

/// <summary>
/// Runs the edited models on ONNX Runtime and compares with what torch computed for the same
/// weights and input (logits, and the target layer's activations from a forward hook).
/// </summary>
public class EditedModelsOnOrtTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [MemberData(nameof(GraphFixtures.All), MemberType = typeof(GraphFixtures))]
    public void Exposed_target_layer_and_logits_match_torch(string name)
    {
        var expected = Expected(name);
        var model = GraphEditor.ExposeOutputs(ModelProto.Parser.ParseFrom(OnnxBytes(name)), [TargetLayer]);
        using var session = OrtInferenceSession.FromBytes(model.ToByteArray());

        using var result = session.Run([Input(expected.GetProperty("input"), "input")], "logits", TargetLayer);

        AssertClose(expected.GetProperty("logits"), result["logits"]);
        AssertClose(expected.GetProperty("target"), result[TargetLayer]);
    }

    [Theory]
    [InlineData(GapLinear)]
    [InlineData(MlpHead)]
    public void Extracted_head_computes_torchs_logits_from_torchs_features_in_a_batch(string name)
    {
        var expected = Expected(name);
        var head = GraphEditor.ExtractSubgraph(ModelProto.Parser.ParseFrom(OnnxBytes(name)), TargetLayer, ["logits"]);
        using var session = OrtInferenceSession.FromBytes(head.ToByteArray());

        // Two copies of the features: the symbolic batch dimension must accept them, as ablation batches do.
        var features = expected.GetProperty("target");
        var data = Floats(features.GetProperty("data"));
        var shape = features.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        shape[0] = 2;
        using var result = session.Run([OrtInputTensor.Float(TargetLayer, data.Concat(data).ToArray(), shape)], "logits");

        var logits = Floats(expected.GetProperty("logits").GetProperty("data"));
        var actual = result["logits"];
        Assert.Equal([2L, logits.Length], actual.Shape);
        for (var row = 0; row < 2; row++)
            for (var c = 0; c < logits.Length; c++)
                Assert.True(Math.Abs(logits[c] - actual.Data[row * logits.Length + c]) <= Tolerance,
                    $"row {row} class {c}: torch {logits[c]}, head {actual.Data[row * logits.Length + c]}");
    }

    private static OrtInputTensor Input(System.Text.Json.JsonElement tensor, string name) =>
        OrtInputTensor.Float(name, Floats(tensor.GetProperty("data")),
            tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());

    private static void AssertClose(System.Text.Json.JsonElement expected, OrtOutputTensor actual)
    {
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), actual.Shape);
        var want = Floats(expected.GetProperty("data"));
        var got = actual.ToArray();
        var worst = Enumerable.Range(0, want.Length).Max(i => Math.Abs(want[i] - got[i]));
        Assert.True(worst <= Tolerance, $"{actual.Name}: max |torch − ORT| = {worst}");
    }
}
