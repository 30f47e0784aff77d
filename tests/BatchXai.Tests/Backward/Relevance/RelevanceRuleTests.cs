using System.Text.Json;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Backward.Rules;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using BatchXai.Tests.Backward.Conformance;
using Google.Protobuf;
using Xunit.Abstractions;

namespace BatchXai.Tests.Backward.Relevance;

/// <summary>The nets and numpy references of make_relevance_references.py, exported once into .work/relevance (or $BATCHXAI_RELEVANCE_DIR).</summary>
public sealed class RelevanceReferences
{
    private const string Script = "tests/BatchXai.Tests/Backward/Relevance/make_relevance_references.py";

    public RelevanceReferences() => Folder = PythonExports.Ensure(Script, "relevance", "BATCHXAI_RELEVANCE_DIR");

    public string Folder { get; }

    public ModelProto Model(string net) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(Folder, net + ".onnx")));

    public JsonElement Record(string net) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, net + ".json"))).RootElement;
}

/// <summary>
/// LRP (ε, αβ, composite) and DeepLIFT rescale through the backward-graph builder, run on ONNX
/// Runtime in float32, against make_relevance_references.py's numpy float64 relevance computed
/// layer by layer on the same exported weights (BatchNorm folded into the convolution there by
/// probing the float64 module). Two nets: Conv+BN → ReLU → MaxPool → strided Conv → ReLU → GAP →
/// Gemm → ReLU → Gemm with biases, and the same without biases or BN (MatMul heads).
/// </summary>
public class RelevanceRuleTests(RelevanceReferences references, ITestOutputHelper output) : IClassFixture<RelevanceReferences>
{
    private const int Classes = 3;

    [Theory]
    [InlineData("relevance_cnn", "epsilon")]
    [InlineData("relevance_cnn", "alphabeta2")]
    [InlineData("relevance_cnn", "alphabeta1")]
    [InlineData("relevance_cnn", "composite")]
    [InlineData("relevance_cnn_nobias", "epsilon")]
    [InlineData("relevance_cnn_nobias", "epsilon_small")]
    [InlineData("relevance_cnn_nobias", "alphabeta2")]
    [InlineData("relevance_cnn_nobias", "composite")]
    public void Lrp_matches_the_numpy_reference(string net, string run)
    {
        var record = references.Record(net);
        var relevance = RunLrp(net, run, record);

        var expected = Tensor(record, "lrp_" + run).Data;
        var scale = expected.Max(Math.Abs);
        var worst = expected.Select((e, i) => Math.Abs(e - relevance[i])).Max();
        output.WriteLine($"{net} {run}: max |R − numpy| = {worst:E2} (max |R| {scale:E2})");
        Assert.True(worst <= 1e-4 * Math.Max(1, scale), $"{net} {run}: max abs error {worst:E2} against the numpy reference (scale {scale:E2})");
    }

    /// <summary>
    /// Σ_i R_i = S_c(x) where the rule conserves: ε → 0 and the composite on the bias-free net
    /// (no bias to absorb relevance), z⁺ (α = 1) with biases (they are left out of z⁺) — for both
    /// images of the batch.
    /// </summary>
    [Theory]
    [InlineData("relevance_cnn_nobias", "epsilon_small")]
    [InlineData("relevance_cnn_nobias", "composite_small")]
    [InlineData("relevance_cnn", "alphabeta1")]
    public void Lrp_conserves_the_target_logit(string net, string run)
    {
        var record = references.Record(net);
        var relevance = RunLrp(net, run, record);
        var logits = Tensor(record, "logits").Data;
        var targets = Targets(record);
        int size = relevance.Length / 2;
        for (int b = 0; b < 2; b++)
        {
            double sum = relevance.Skip(b * size).Take(size).Sum();
            double logit = logits[b * Classes + targets[b]];
            output.WriteLine($"{net} {run} image {b}: Σ R = {sum:F6}, S_c = {logit:F6}, gap {sum - logit:E2}");
            Assert.True(Math.Abs(sum - logit) <= 1e-4, $"{net} {run} image {b}: Σ R = {sum} but S_c = {logit}");
        }
    }

    [Theory]
    [InlineData("relevance_cnn")]
    [InlineData("relevance_cnn_nobias")]
    public void DeepLift_matches_the_numpy_reference_and_sums_to_the_score_difference(string net)
    {
        var record = references.Record(net);
        var built = BackwardGraphBuilder.Build(references.Model(net), new BackwardOptions("input", "logits", Rule: GradientRule.DeepLiftRescale));
        var input = Tensor(record, "input").Floats;
        var reference = Tensor(record, "reference").Floats;
        var targets = Targets(record);
        var seed = new float[4 * Classes];
        for (int b = 0; b < 4; b++) seed[b * Classes + targets[b % 2]] = 1f;

        using var session = OrtInferenceSession.FromBytes(built.ToByteArray());
        using var result = session.Run(
            [OrtInputTensor.Float("input", input.Concat(reference).ToArray(), 4, 3, 8, 8), OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seed, 4, Classes)],
            ["logits", BackwardGraphBuilder.InputGradOutput]);
        var logits = result["logits"].ToArray();
        var multipliers = result[BackwardGraphBuilder.InputGradOutput].ToArray();
        int size = input.Length / 2;
        var contributions = Enumerable.Range(0, input.Length).Select(i => (double)(input[i] - reference[i]) * multipliers[i]).ToArray();

        var expected = Tensor(record, "deeplift").Data;
        var worst = expected.Select((e, i) => Math.Abs(e - contributions[i])).Max();
        output.WriteLine($"{net} deeplift: max |C − numpy| = {worst:E2} (max |C| {expected.Max(Math.Abs):E2})");
        Assert.True(worst <= 1e-4 * Math.Max(1, expected.Max(Math.Abs)), $"{net}: max abs error {worst:E2} against the numpy reference");
        for (int b = 0; b < 2; b++)
        {
            double sum = contributions.Skip(b * size).Take(size).Sum();
            double gap = (double)logits[b * Classes + targets[b]] - logits[(b + 2) * Classes + targets[b]];
            output.WriteLine($"{net} deeplift image {b}: Σ C = {sum:F6}, S_c(x) − S_c(x') = {gap:F6}, gap {sum - gap:E2}");
            Assert.True(Math.Abs(sum - gap) <= 1e-4, $"{net} image {b}: Σ C = {sum} but S_c(x) − S_c(x') = {gap}");
        }
    }

    private float[] RunLrp(string net, string run, JsonElement record)
    {
        var (rule, epsilon, alpha) = run switch
        {
            "epsilon" => (GradientRule.LrpEpsilon, record.GetProperty("eps").GetDouble(), 2.0),
            "epsilon_small" => (GradientRule.LrpEpsilon, record.GetProperty("eps_small").GetDouble(), 2.0),
            "alphabeta2" => (GradientRule.LrpAlphaBeta, record.GetProperty("eps_small").GetDouble(), 2.0),
            "alphabeta1" => (GradientRule.LrpAlphaBeta, record.GetProperty("eps_small").GetDouble(), 1.0),
            "composite" => (GradientRule.LrpComposite, record.GetProperty("eps").GetDouble(), 2.0),
            "composite_small" => (GradientRule.LrpComposite, record.GetProperty("eps_small").GetDouble(), 2.0),
            _ => throw new ArgumentException(run),
        };
        var built = BackwardGraphBuilder.Build(references.Model(net), new BackwardOptions("input", "logits", Rule: rule));
        var targets = Targets(record);
        var seed = new float[2 * Classes];
        for (int b = 0; b < 2; b++) seed[b * Classes + targets[b]] = 1f;
        var feeds = new List<OrtInputTensor>
        {
            OrtInputTensor.Float("input", Tensor(record, "input").Floats, 2, 3, 8, 8),
            OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seed, 2, Classes),
            OrtInputTensor.Float(RelevanceInputs.Parameters, new float[] { (float)epsilon, (float)alpha }, 2),
        };
        if (rule == GradientRule.LrpComposite)
        {
            feeds.Add(OrtInputTensor.Float(RelevanceInputs.Low, Tensor(record, "low").Floats, 1, 3, 8, 8));
            feeds.Add(OrtInputTensor.Float(RelevanceInputs.High, Tensor(record, "high").Floats, 1, 3, 8, 8));
        }
        using var session = OrtInferenceSession.FromBytes(built.ToByteArray());
        using var result = session.Run(feeds.ToArray(), [BackwardGraphBuilder.InputGradOutput]);
        return result[BackwardGraphBuilder.InputGradOutput].ToArray();
    }

    private static int[] Targets(JsonElement record) => record.GetProperty("targets").EnumerateArray().Select(t => t.GetInt32()).ToArray();

    private static RecordedTensor Tensor(JsonElement record, string name) => RecordedTensor.From(record.GetProperty(name));
}
