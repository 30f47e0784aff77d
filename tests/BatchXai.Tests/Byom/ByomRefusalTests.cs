using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;
using BatchXai.Synthetic;

namespace BatchXai.Tests.Byom;

/// <summary>
/// What a user's model cannot do is refused at load, naming the field, tensor or node — and a run
/// with such a model stops with exit code 2 before anything is queued; one with internal logits runs.
/// </summary>
public sealed class ByomRefusalTests(ByomExports exports) : IClassFixture<ByomExports>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-byom-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void An_op_with_no_gradient_rule_is_refused_naming_node_op_and_opset()
    {
        using var model = ExplainableModel.Load(exports.Manifest("elu_op9"));
        var e = Assert.Throws<ModelLoadException>(() => model.Gradients.Prepare(GradientRule.Exact));
        Assert.Contains("(op Elu, opset 9)", e.Message);
        Assert.Contains("no backward rule", e.Message);
    }

    [Fact]
    public void A_logits_name_that_does_not_exist_is_refused_naming_the_field()
    {
        var manifest = exports.EditedManifest("resnet18_op10", "nologits", json => json.Replace("\"probabilities\",", "\"scores_that_are_not_there\","));
        var e = Assert.Throws<ManifestException>(() => ModelInspector.Inspect(manifest));
        Assert.Equal("outputs.logits", e.Field);
        Assert.Contains("scores_that_are_not_there", e.Message);
    }

    [Fact]
    public void An_activation_that_does_not_produce_the_named_output_is_refused_naming_the_field()
    {
        // The multi-label net ends in Sigmoid; a manifest claiming softmax is wrong.
        var manifest = exports.EditedManifest("multilabel_op9", "softmax", json => json.Replace("\"activation\": \"sigmoid\"", "\"activation\": \"softmax\""));
        var e = Assert.Throws<ManifestException>(() => ModelInspector.Inspect(manifest));
        Assert.Equal("outputs.activation", e.Field);
        Assert.Contains("(op Sigmoid)", e.Message);
    }

    [Fact]
    public void Internal_logits_named_directly_are_exposed_like_the_target_layer()
    {
        var found = ModelInspector.Inspect(exports.Manifest("resnet18_op11")).Manifest.Outputs.Logits;
        var manifest = exports.EditedManifest("resnet18_op11", "internal", json => json
            .Replace("\"probabilities\",", $"\"{found}\",").Replace(", \"activation\": \"softmax\"", "").Replace(",\n    \"activation\": \"softmax\"", ""));
        using var model = ExplainableModel.Load(manifest);
        Assert.Equal(OutputActivation.None, model.Manifest.Outputs.Activation);
        Assert.Equal(found, model.Manifest.Outputs.Logits);
        var input = exports.Array("resnet18_op11", "input");
        var logits = model.Forward(input.Data, input.Shape[0]).Logits;
        var reference = exports.Array("resnet18_op11", "logits").Data;
        Assert.True(Backward.BackwardFixtures.RelativeError(reference.Select(v => (double)v).ToArray(), logits.Select(v => (double)v).ToArray()) <= 1e-4);
    }

    [Fact]
    public async Task A_run_whose_model_cannot_serve_its_methods_exits_2_before_anything_is_queued()
    {
        var data = Path.Combine(_root, "data");
        SampleDatasetWriter.Write(data, 3, seed: 5, new SampleDataOptions { Size = 64 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, exports.Manifest("elu_op9"), "crm,gradcam", Path.Combine(_root, "out")),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Null(outcome.Run);
        Assert.Contains("Elu", outcome.Error);
    }

    [Fact]
    public async Task An_opset_9_softmax_model_runs_end_to_end_from_its_hand_written_manifest()
    {
        var data = Path.Combine(_root, "data");
        SampleDatasetWriter.Write(data, 4, seed: 6, new SampleDataOptions { Size = 96 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, exports.Manifest("resnet18_op9"), "cam,crm,gradcam,ig,clear", Path.Combine(_root, "out")),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(RunStatus.Completed, outcome.Run!.Status);
        Assert.Equal(4, outcome.Run.Explained);
        Assert.Equal(0, outcome.Run.Failed);
    }
}
