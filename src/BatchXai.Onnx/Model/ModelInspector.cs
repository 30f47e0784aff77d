using BatchXai.Core.Heads;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Manifest;

namespace BatchXai.Onnx.Model;

/// <summary>A model's manifest checked against its graph, without starting ONNX Runtime.</summary>
public sealed record InspectedModel(ModelManifest Manifest, OnnxGraph Graph)
{
    public string Sha256 => Graph.Sha256;
    public HeadKind HeadKind => Manifest.Head;
}

public static class ModelInspector
{
    /// <summary>Loads the manifest and its ONNX graph and validates one against the other.</summary>
    /// <exception cref="ManifestException">Names the manifest file and the field at fault.</exception>
    public static InspectedModel Inspect(string manifestPath)
    {
        var manifest = ModelManifest.Load(manifestPath);
        OnnxGraph graph;
        try
        {
            graph = OnnxGraph.Load(manifest.OnnxPath);
        }
        catch (Exception e) when (e is OnnxGraphException or Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            throw new ManifestException(manifest.ManifestPath, "onnx", $"'{manifest.OnnxPath}' is not a readable ONNX model: {e.Message}", e);
        }
        ManifestValidator.Validate(manifest, graph);
        return new InspectedModel(manifest, graph);
    }
}
