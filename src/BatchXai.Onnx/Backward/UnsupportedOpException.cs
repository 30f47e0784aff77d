using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Backward;

/// <summary>A node on the path from the input to the logits that the builder cannot differentiate.</summary>
public sealed class UnsupportedOpException : Exception
{
    /// <param name="opset">The default-domain opset the model was exported at (before any in-memory upgrade).</param>
    public UnsupportedOpException(NodeProto node, GradientRule rule, long opset, string reason)
        : base($"cannot build the {rule} backward pass through node '{Label(node)}' (op {OpName(node)}, opset {opset}): {reason}")
    {
        NodeName = Label(node);
        OpType = OpName(node);
        Opset = opset;
        Rule = rule;
    }

    public string NodeName { get; }
    public string OpType { get; }
    public GradientRule Rule { get; }

    /// <summary>The opset the model was exported at.</summary>
    public long Opset { get; }

    internal static string Label(NodeProto node) =>
        node.Name.Length > 0 ? node.Name : $"{node.OpType} → {node.Output.FirstOrDefault()}";

    private static string OpName(NodeProto node) =>
        string.IsNullOrEmpty(node.Domain) ? node.OpType : $"{node.Domain}.{node.OpType}";
}
