using BatchXai.Core.Heads;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Manifest;

namespace BatchXai.Onnx.Model;

/// <summary>A model's manifest checked against its graph, without starting ONNX Runtime.</summary>
/// <param name="Notes">What BatchXai did to read the model as given (an in-memory opset upgrade, the logits it found), for the load log.</param>
public sealed record InspectedModel(ModelManifest Manifest, OnnxGraph Graph, IReadOnlyList<string> Notes)
{
    public string Sha256 => Graph.Sha256;
    public HeadKind HeadKind => Manifest.Head;
}

public static class ModelInspector
{
    /// <summary>
    /// Loads the manifest and its ONNX graph (upgraded in memory when exported at opsets 7–12),
    /// validates one against the other, and resolves outputs.activation to the pre-activation logits.
    /// </summary>
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
        var notes = new List<string>();
        if (graph.Upgrade is { } upgrade) notes.Add(upgrade.ToString());
        var (resolved, note) = PreActivationFinder.Resolve(manifest, graph);
        if (note is not null) notes.Add(note);
        if (resolved.TargetLayerLayout == TensorLayout.Nhwc)
        {
            // Methods work on [batch, K, U, V]: read an NHWC target layer through a channels-first view.
            var (edited, nchw) = GraphEditor.ChannelsFirstView(graph.Model, resolved.TargetLayer);
            graph = graph.WithModel(edited);
            notes.Add($"target layer '{resolved.TargetLayer}' (NHWC) read as '{nchw}' (transposed to NCHW)");
            resolved = resolved with { TargetLayer = nchw, TargetLayerLayout = TensorLayout.Nchw };
        }
        return new InspectedModel(resolved, graph, notes);
    }
}
