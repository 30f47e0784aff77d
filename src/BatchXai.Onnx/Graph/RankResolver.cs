using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Finds the rank of a tensor that has no declared shape, for the ops a CNN's feature extractor
/// and head are made of: rank-preserving ops (convolution, pooling, normalisation, activations),
/// broadcasting element-wise ops, Flatten/Gemm (rank 2), MatMul, and the shape ops whose output
/// rank follows from their attributes or constant inputs (Transpose, Concat, Split, Slice,
/// Squeeze/Unsqueeze, Reshape, Expand, reductions). Null where it cannot tell.
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
        if (!Index.TryGetProducer(tensor, out var node, out var outputIndex) || outputIndex != 0 && node.OpType != "Split")
            return null;
        return node.OpType switch
        {
            "Flatten" or "Gemm" => 2,
            "Shape" => 1,
            "Transpose" => node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.Count ?? InputRank(node, 0),
            "Concat" or "Split" or "Slice" or "Tile" => InputRank(node, 0),
            "MatMul" => MatMulRank(node),
            "Unsqueeze" => InputRank(node, 0) + AxesCount(node),
            "Squeeze" => InputRank(node, 0) - AxesCount(node),
            "Reshape" => ConstantLength(node, 1),
            "Expand" => InputRank(node, 0) is { } rank && ConstantLength(node, 1) is { } length ? Math.Max(rank, length) : null,
            "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2" or "ReduceSumSquare" =>
                node.Attribute.FirstOrDefault(a => a.Name == "keepdims") is { I: 0 } ? InputRank(node, 0) - AxesCount(node) : InputRank(node, 0),
            _ when RankPreserving.Contains(node.OpType) => InputRank(node, 0),
            _ when Broadcasting.Contains(node.OpType) => BroadcastRank(node),
            _ => null,
        };
    }

    /// <summary>numpy matmul: a 1-D operand loses its axis, otherwise the larger rank (batch axes broadcast).</summary>
    private int? MatMulRank(NodeProto node) => (InputRank(node, 0), InputRank(node, 1)) switch
    {
        (1, 1) => 0,
        (1, { } b) => b - 1,
        ({ } a, 1) => a - 1,
        ({ } a, { } b) => Math.Max(a, b),
        _ => null,
    };

    /// <summary>How many axes an Unsqueeze/Squeeze/reduction names: its "axes" attribute (older opsets) or constant axes input. Null when all or unknown.</summary>
    private int? AxesCount(NodeProto node) =>
        node.Attribute.FirstOrDefault(a => a.Name == "axes") is { } axes ? axes.Ints.Count : ConstantLength(node, 1);

    /// <summary>The length of a 1-D constant input (an initializer or a Constant node's value), else null.</summary>
    private int? ConstantLength(NodeProto node, int input)
    {
        if (node.Input.Count <= input || node.Input[input].Length == 0)
            return null;
        var name = node.Input[input];
        var constant = Index.Initializer(name)
            ?? (Index.Producer(name) is { OpType: "Constant" } producer ? producer.Attribute.FirstOrDefault(a => a.Name == "value")?.T : null);
        return constant is { Dims.Count: 1 } ? (int)constant.Dims[0] : null;
    }

    private int? InputRank(NodeProto node, int input) =>
        node.Input.Count > input && node.Input[input].Length > 0 ? Resolve(node.Input[input]) : null;

    private int? BroadcastRank(NodeProto node)
    {
        var ranks = node.Input.Where(i => i.Length > 0).Select(Resolve).ToArray();
        return ranks.Any(r => r is null) ? null : ranks.Max();
    }
}
