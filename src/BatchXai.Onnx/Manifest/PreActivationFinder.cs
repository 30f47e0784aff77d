using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Manifest;

/// <summary>
/// For a manifest whose outputs.logits names a probability output (outputs.activation set): finds
/// the scores the activation was applied to — the input of the Softmax/LogSoftmax (softmax) or
/// Sigmoid (sigmoid) node that produces it, through any Identity — and says which tensor it picked.
/// </summary>
public static class PreActivationFinder
{
    private static readonly IReadOnlyDictionary<OutputActivation, string[]> Producers = new Dictionary<OutputActivation, string[]>
    {
        [OutputActivation.Softmax] = ["Softmax", "LogSoftmax"],
        [OutputActivation.Sigmoid] = ["Sigmoid"],
    };

    /// <summary>The manifest with outputs.logits replaced by the pre-activation tensor, and a line for the load log; unchanged without an activation.</summary>
    /// <exception cref="ManifestException">Field outputs.activation: the named output is not produced by that activation.</exception>
    public static (ModelManifest Manifest, string? Note) Resolve(ModelManifest manifest, OnnxGraph graph)
    {
        var outputs = manifest.Outputs;
        if (outputs.Activation == OutputActivation.None)
            return (manifest, null);
        var named = outputs.Logits;
        var accepted = Producers[outputs.Activation];
        var producer = graph.Producer(named);
        while (producer is { OpType: "Identity" } && graph.Producer(producer.Input[0]) is { } earlier)
            producer = earlier;
        if (producer is null || !accepted.Contains(producer.OpType) || !string.IsNullOrEmpty(producer.Domain))
        {
            var actual = producer is null ? "it is no node's output" : $"it is produced by node '{Label(producer)}' (op {producer.OpType})";
            throw new ManifestException(manifest.ManifestPath, "outputs.activation",
                $"is '{ManifestNames.Of(ManifestNames.Activations, outputs.Activation)}', so outputs.logits '{named}' must be the output of a " +
                $"{string.Join(" or ", accepted)} node, but {actual}; name the scores in outputs.logits and leave outputs.activation out, or name the probability output");
        }
        var scores = producer.Input[0];
        var resolved = manifest with { Outputs = outputs with { Logits = scores, Probabilities = named } };
        return (resolved, $"logits: '{scores}', the input of {producer.OpType} node '{Label(producer)}' that produces '{named}' (outputs.activation)");
    }

    private static string Label(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType} → {node.Output.FirstOrDefault()}";
}
