using System.Text.Json.Nodes;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Manifest;

namespace BatchXai.Tests.Manifest;

/// <summary>Validation of manifests against tiny_gap_linear.onnx (input 'input' [batch,3,32,32], output 'logits' [batch,5]).</summary>
public sealed class ManifestValidatorTests : IDisposable
{
    private readonly ManifestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private ManifestException Invalid(Action<JsonObject> change)
    {
        var json = ManifestFiles.Valid();
        change(json);
        var manifest = ModelManifest.Load(_files.Write(json));
        var graph = OnnxGraph.Load(manifest.OnnxPath);
        return Assert.Throws<ManifestException>(() => ManifestValidator.Validate(manifest, graph));
    }

    [Fact]
    public void A_matching_manifest_passes()
    {
        var manifest = ModelManifest.Load(_files.Write(ManifestFiles.Valid()));
        ManifestValidator.Validate(manifest, OnnxGraph.Load(manifest.OnnxPath));
    }

    [Fact]
    public void Wrong_input_name_lists_the_real_inputs()
    {
        var e = Invalid(j => j["input"]!["name"] = "image");
        Assert.Equal("input.name", e.Field);
        Assert.Contains("is 'image' but the model's inputs are: 'input'", e.Message);
    }

    [Fact]
    public void Wrong_class_count_names_classes_and_the_logit_count()
    {
        var e = Invalid(j => j["classes"] = new JsonArray("a", "b", "c", "d"));
        Assert.Equal("classes", e.Field);
        Assert.Contains("has 4 name(s) but output 'logits' has 5 scores", e.Message);
    }

    [Fact]
    public void Wrong_target_layer_suggests_the_real_one()
    {
        var e = Invalid(j => j["targetLayer"] = "/features/features.7/Relu_output_0");
        Assert.Equal("targetLayer", e.Field);
        Assert.Contains("no node produces that tensor", e.Message);
        Assert.Contains("'/features/features.5/Relu_output_0'", e.Message);
    }

    [Fact]
    public void Wrong_logits_output_lists_the_real_outputs()
    {
        var e = Invalid(j => j["outputs"]!["logits"] = "output");
        Assert.Equal("outputs.logits", e.Field);
        Assert.Contains("the model's outputs are: 'logits'", e.Message);
    }

    [Fact]
    public void An_intermediate_tensor_is_accepted_as_logits()
    {
        // The worker exposes it as an output; its shape is unknown here, so the count is not checked.
        var json = ManifestFiles.Valid();
        json["outputs"]!["logits"] = "/Flatten_output_0";
        var manifest = ModelManifest.Load(_files.Write(json));
        ManifestValidator.Validate(manifest, OnnxGraph.Load(manifest.OnnxPath));
    }

    [Fact]
    public void Wrong_size_names_the_disagreeing_dimension()
    {
        var e = Invalid(j => j["input"]!["size"] = new JsonArray(32, 160));
        Assert.Equal("input.size", e.Field);
        var problem = Assert.Single(e.Problems);
        Assert.Equal("width is 160 but dim 3 (width in NCHW) of 'input' is 32", problem.Message);
    }

    [Fact]
    public void Nhwc_on_an_nchw_model_names_the_channel_dimension()
    {
        var e = Invalid(j => j["input"]!["layout"] = "NHWC");
        Assert.Equal("input.channels", e.Field);
        Assert.Contains("dim 3 (channels in NHWC) of 'input' is 32", e.Message);
    }

    [Fact]
    public void Gray_on_an_rgb_model_hints_nothing_about_layout()
    {
        var e = Invalid(j =>
        {
            j["input"]!["channels"] = "GRAY";
            j["input"]!["mean"] = new JsonArray(0.5);
            j["input"]!["std"] = new JsonArray(0.25);
        });
        Assert.Equal("input.channels", e.Field);
        Assert.Contains("is GRAY (1 channel(s)) but dim 1 (channels in NCHW) of 'input' is 3", e.Message);
        Assert.DoesNotContain("layout", e.Message);
    }

    [Fact]
    public void Every_problem_is_listed_with_its_field()
    {
        var e = Invalid(j =>
        {
            j["input"]!["name"] = "image";
            j["classes"] = new JsonArray("a", "b");
            j["targetLayer"] = "layer4";
        });
        Assert.Equal(["input.name", "classes", "targetLayer"], e.Problems.Select(p => p.Field));
        Assert.Contains("3 problems", e.Message);
        foreach (var field in new[] { "'input.name'", "'classes'", "'targetLayer'" })
            Assert.Contains(field, e.Message);
    }
}
