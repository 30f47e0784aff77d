using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Finds the rank of a tensor that has no declared shape, for the ops a CNN's feature extractor
/// and head are made of: rank-preserving ops (convolution, pooling, normalisation, activations),
/// broadcasting element-wise ops, and Flatten/Gemm (rank 2). Null where it cannot tell.
/// Knowing the rank lets an exposed output declare a shape of unknown dims, which the ONNX
/// checker requires of graph inputs and outputs.
/// </summary>
internal sealed class RankResolver(GraphIndex index) : TensorPropertyResolver<int?>(index)
{
    private static readonly HashSet<string> RankPreserving = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
        "BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN", "Dropout", "Identity",
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
        "Softplus", "Softsign", "Clip", "Erf", "Gelu", "Mish", "Exp", "Log", "Sqrt", "Abs", "Neg", "Reciprocal",
        "Softmax", "LogSoftmax", "Cast", "Resize", "Upsample", "Pad",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where",
    };

    protected override int? Fallback => null;

    protected override int? ResolveUncached(string tensor)
    {
        if (Index.Declared(tensor)?.Type?.TensorType?.Shape is { } shape)
            return shape.Dim.Count;
        if (Index.Initializer(tensor) is { } initializer)
            return initializer.Dims.Count;
        if (!Index.TryGetProducer(tensor, out var node, out var outputIndex) || outputIndex != 0)
            return null;
        return node.OpType switch
        {
            "Flatten" or "Gemm" => 2,
            "Shape" => 1,
            _ when RankPreserving.Contains(node.OpType) => InputRank(node, 0),
            _ when Broadcasting.Contains(node.OpType) => BroadcastRank(node),
            _ => null,
        };
    }

    private int? InputRank(NodeProto node, int input) =>
        node.Input.Count > input && node.Input[input].Length > 0 ? Resolve(node.Input[input]) : null;

    private int? BroadcastRank(NodeProto node)
    {
        var ranks = node.Input.Where(i => i.Length > 0).Select(Resolve).ToArray();
        return ranks.Any(r => r is null) ? null : ranks.Max();
    }
}
