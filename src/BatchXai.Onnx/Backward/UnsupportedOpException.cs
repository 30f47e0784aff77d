using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Backward;

/// <summary>A node on the path from the input to the logits that the builder cannot differentiate.</summary>
public sealed class UnsupportedOpException : Exception
{
    public UnsupportedOpException(NodeProto node, GradientRule rule, string reason)
        : base($"cannot build the {rule} backward pass through node '{Label(node)}' (op {OpName(node)}): {reason}")
    {
        NodeName = Label(node);
        OpType = OpName(node);
        Rule = rule;
    }

    public string NodeName { get; }
    public string OpType { get; }
    public GradientRule Rule { get; }

    internal static string Label(NodeProto node) =>
        node.Name.Length > 0 ? node.Name : $"{node.OpType} → {node.Output.FirstOrDefault()}";

    private static string OpName(NodeProto node) =>
        string.IsNullOrEmpty(node.Domain) ? node.OpType : $"{node.Domain}.{node.OpType}";
}
