using System.Text.Json.Nodes;
using BatchXai.Tests.Graph;

namespace BatchXai.Tests.Model;

/// <summary>Writes a manifest for one of the exported graph fixtures into a temporary folder.</summary>
internal sealed class FixtureModel : IDisposable
{
    /// <param name="onnxPath">The model file when it is not one of the Graph fixtures (the name is then only the manifest's).</param>
    public FixtureModel(string fixture, string head = "gap-linear", string? targetLayer = null, int size = 32, bool fundusCrop = false, string? onnxPath = null)
    {
        Folder = Directory.CreateTempSubdirectory("batchxai-model-").FullName;
        File.Copy(onnxPath ?? GraphFixtures.OnnxPath(fixture), Path.Combine(Folder, "model.onnx"));
        var manifest = new JsonObject
        {
            ["name"] = fixture,
            ["version"] = "1",
            ["onnx"] = "model.onnx",
            ["input"] = new JsonObject
            {
                ["name"] = "input", ["layout"] = "NCHW", ["size"] = new JsonArray(size, size), ["channels"] = "RGB",
                ["scale"] = 1.0 / 255, ["mean"] = new JsonArray(0.5, 0.5, 0.5), ["std"] = new JsonArray(0.25, 0.25, 0.25), ["fundusCrop"] = fundusCrop,
            },
            ["outputs"] = new JsonObject { ["logits"] = "logits" },
            ["targetLayer"] = targetLayer ?? GraphFixtures.TargetLayer,
            ["head"] = head,
            ["classes"] = new JsonArray("none", "mild", "moderate", "severe", "proliferative"),
        };
        ManifestPath = Path.Combine(Folder, "model.json");
        File.WriteAllText(ManifestPath, manifest.ToJsonString());
    }

    public string Folder { get; }
    public string ManifestPath { get; }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
