using System.Text.Json.Nodes;
using BatchXai.Core.Heads;
using BatchXai.Onnx.Manifest;

namespace BatchXai.Tests.Manifest;

public sealed class ModelManifestTests : IDisposable
{
    private readonly ManifestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Loads_every_field_and_resolves_the_onnx_path_beside_the_manifest()
    {
        var path = _files.Write(ManifestFiles.Valid());

        var manifest = ModelManifest.Load(path);

        Assert.Equal("dr-grader", manifest.Name);
        Assert.Equal("1.0", manifest.Version);
        Assert.Equal(Path.Combine(_files.Folder, "grader.onnx"), manifest.OnnxPath);
        Assert.Equal(path, manifest.ManifestPath);
        var input = manifest.Input;
        Assert.Equal(("input", TensorLayout.Nchw, 32, 32, ChannelOrder.Rgb, 3), (input.Name, input.Layout, input.Height, input.Width, input.Channels, input.ChannelCount));
        Assert.Equal(1f / 255f, input.Scale);
        Assert.Equal([0.5f, 0.5f, 0.5f], input.Mean);
        Assert.Equal([0.25f, 0.25f, 0.25f], input.Std);
        Assert.Equal(ResizeMode.Letterbox, input.Resize);
        Assert.True(input.FundusCrop);
        Assert.Equal("logits", manifest.Outputs.Logits);
        Assert.Equal("/features/features.5/Relu_output_0", manifest.TargetLayer);
        Assert.Equal(HeadKind.GapLinear, manifest.Head);
        Assert.Equal(["none", "mild", "moderate", "severe", "proliferative"], manifest.Classes);
    }

    [Fact]
    public void Optional_fields_take_their_defaults()
    {
        var json = ManifestFiles.Valid();
        var input = json["input"]!.AsObject();
        foreach (var field in new[] { "layout", "scale", "mean", "std", "resize", "fundusCrop" })
            input.Remove(field);
        input["channels"] = "GRAY";
        json.Remove("head");

        var manifest = ModelManifest.Load(_files.Write(json));

        Assert.Equal(TensorLayout.Nchw, manifest.Input.Layout);
        Assert.Equal(1f / 255f, manifest.Input.Scale);
        Assert.Equal([0f], manifest.Input.Mean); // one value: GRAY has one channel
        Assert.Equal([1f], manifest.Input.Std);
        Assert.Equal(ResizeMode.Stretch, manifest.Input.Resize);
        Assert.False(manifest.Input.FundusCrop);
        Assert.Equal(HeadKind.Generic, manifest.Head);
    }

    public static TheoryData<string, string, string> BadFields => new()
    {
        // JSON path to change ← new value (JSON), expected field, expected message fragment
        { "input.mean=[0.5]", "input.mean", "field 'input.mean' has 1 value(s) but input.channels RGB needs 3" },
        { "input.std=[0.2, 0, 0.2]", "input.std", "has 0 at index 1 but every std must be > 0" },
        { "input.std=[0.2, 0.2]", "input.std", "has 2 value(s) but input.channels RGB needs 3" },
        { "input.channels=\"GRAY\"", "input.mean", "has 3 value(s) but input.channels GRAY needs 1" },
        { "input.size=[32, 0]", "input.size", "is [32, 0] but both values must be positive" },
        { "input.size=[32]", "input.size", "has 1 value(s) but needs 2" },
        { "input.size=\"32x32\"", "input.size", "has a value of the wrong type" },
        { "input.layout=\"CHW\"", "input.layout", "is 'CHW' but must be one of: NCHW, NHWC" },
        { "input.channels=\"RGBA\"", "input.channels", "must be one of: RGB, BGR, GRAY" },
        { "input.resize=\"crop\"", "input.resize", "must be one of: stretch, letterbox" },
        { "head=\"mlp\"", "head", "is 'mlp' but must be one of: gap-linear, generic" },
        { "input.scale=-1", "input.scale", "must be a positive number" },
        { "input.name=", "input.name", "field 'input.name' is required" },
        { "outputs.logits=", "outputs.logits", "is required" },
        { "outputs=", "outputs", "is required" },
        { "targetLayer=", "targetLayer", "is required" },
        { "onnx=", "onnx", "is required" },
        { "name=\"\"", "name", "is required" },
        { "classes=[]", "classes", "is required" },
        { "classes=[\"a\", \"b\", \"a\"]", "classes", "lists 'a' more than once" },
        { "input.fundus_crop=true", "input.fundus_crop", "is not a manifest field" },
        { "input.window={\"center\": -600, \"width\": 0}", "input.window.width", "is 0 but must be a finite number >= 1" },
        { "input.window={\"width\": 1500}", "input.window.center", "is missing but must be a finite number" },
    };

    [Fact]
    public void A_window_in_the_input_section_becomes_the_models_default_window()
    {
        var manifest = ModelManifest.Load(_files.Write(Apply(ManifestFiles.Valid(), "input.window={\"center\": -600, \"width\": 1500}")));
        Assert.Equal(new ManifestWindow(-600, 1500), manifest.Input.Window);
        var spec = global::BatchXai.Worker.LoadedModel.PreprocessSpecOf(manifest);
        Assert.Equal(new global::BatchXai.Imaging.IntensityWindow(-600, 1500), spec.Window);
        // The run's --window wins over it; without one the manifest's stands.
        var run = global::BatchXai.Imaging.InputOptions.Of(new Dictionary<string, string> { ["window"] = "40,400" });
        Assert.Equal(new global::BatchXai.Imaging.IntensityWindow(40, 400), run.WindowOver(spec.Window));
        Assert.Equal(spec.Window, global::BatchXai.Imaging.InputOptions.Defaults.WindowOver(spec.Window));
        Assert.Null(ModelManifest.Load(_files.Write(ManifestFiles.Valid(), "plain.json")).Input.Window);
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public void A_bad_field_is_named_in_the_error(string change, string field, string fragment)
    {
        var path = _files.Write(Apply(ManifestFiles.Valid(), change));

        var e = Assert.Throws<ManifestException>(() => ModelManifest.Load(path));

        Assert.Equal(field, e.Field);
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Missing_manifest_file_is_named()
    {
        var path = Path.Combine(_files.Folder, "absent.json");
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Load(path));
        Assert.Null(e.Field);
        Assert.Equal($"{path}: manifest file not found", e.Message);
    }

    [Fact]
    public void Missing_onnx_file_names_the_onnx_field_and_the_resolved_path()
    {
        var json = ManifestFiles.Valid();
        json["onnx"] = "sub/missing.onnx";
        var path = _files.Write(json);

        var e = Assert.Throws<ManifestException>(() => ModelManifest.Load(path));

        Assert.Equal("onnx", e.Field);
        Assert.Contains(Path.Combine(_files.Folder, "sub", "missing.onnx"), e.Message);
    }

    [Fact]
    public void Invalid_json_reports_line_and_position()
    {
        // Line 3 lacks the comma after "1.0": the parser stops at the next property, column 3.
        var path = _files.WriteText("{\n  \"name\": \"x\",\n  \"version\": \"1.0\"\n  \"onnx\": \"grader.onnx\"\n}");

        var e = Assert.Throws<ManifestException>(() => ModelManifest.Load(path));

        Assert.Null(e.Field);
        Assert.StartsWith($"{path}: invalid JSON at line 4, position 3", e.Message);
    }

    /// <summary>Applies "a.b=value" (JSON value) to the manifest; an empty value removes the field.</summary>
    private static JsonObject Apply(JsonObject json, string change)
    {
        var (path, value) = (change[..change.IndexOf('=')], change[(change.IndexOf('=') + 1)..]);
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(json, (node, part) => node[part]!.AsObject());
        if (value.Length == 0)
            parent.Remove(parts[^1]);
        else
            parent[parts[^1]] = JsonNode.Parse(value);
        return json;
    }
}
