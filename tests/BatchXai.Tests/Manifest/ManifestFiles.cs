using System.Text.Json.Nodes;
using BatchXai.Tests.Graph;

namespace BatchXai.Tests.Manifest;

/// <summary>
/// A temporary models folder holding a copy of a fixture model and manifests written from a
/// valid example, each test changing one thing.
/// </summary>
public sealed class ManifestFiles : IDisposable
{
    public ManifestFiles()
    {
        Folder = Directory.CreateTempSubdirectory("batchxai-manifest-").FullName;
        File.Copy(GraphFixtures.OnnxPath(GraphFixtures.GapLinear), Path.Combine(Folder, "grader.onnx"));
    }

    public string Folder { get; }

    /// <summary>A manifest that matches tiny_gap_linear.onnx (NCHW 3×32×32 input, 5 logits).</summary>
    public static JsonObject Valid() => (JsonObject)JsonNode.Parse("""
        {
          "name": "dr-grader", "version": "1.0", "onnx": "grader.onnx",
          "input": { "name": "input", "layout": "NCHW", "size": [32, 32], "channels": "RGB",
                     "scale": 0.00392156862745098, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
                     "resize": "letterbox", "fundusCrop": true },
          "outputs": { "logits": "logits" },
          "targetLayer": "/features/features.5/Relu_output_0",
          "head": "gap-linear",
          "classes": ["none", "mild", "moderate", "severe", "proliferative"]
        }
        """)!;

    public string Write(JsonNode manifest, string fileName = "grader.json") => WriteText(manifest.ToJsonString(), fileName);

    public string WriteText(string json, string fileName = "grader.json")
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
