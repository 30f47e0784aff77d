using BatchXai.Onnx.Proto;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Finds the element type of a tensor that has no declared value info, from its producer:
/// ops with a fixed output type (Shape → INT64, comparisons → BOOL, Cast → its 'to'), otherwise
/// the type of the producer's first input, which holds for the element-wise, pooling, shape
/// and linear ops classifiers are made of. Falls back to FLOAT, the type of every activation
/// in the models BatchXai explains.
/// </summary>
internal sealed class ElementTypeResolver(GraphIndex index) : TensorPropertyResolver<DataType>(index)
{
    protected override DataType Fallback => DataType.Float;

    protected override DataType ResolveUncached(string tensor)
    {
        var declared = Index.Declared(tensor)?.Type?.TensorType;
        if (declared is { ElemType: > 0 })
            return (DataType)declared.ElemType;
        if (Index.Initializer(tensor) is { } initializer)
            return (DataType)initializer.DataType;
        if (!Index.TryGetProducer(tensor, out var node, out var outputIndex))
            return DataType.Float;
        return FixedOutputType(node, outputIndex)
               ?? (node.Input.Count > 0 && node.Input[0].Length > 0 ? Resolve(node.Input[0]) : DataType.Float);
    }

    private static DataType? FixedOutputType(NodeProto node, int outputIndex)
    {
        switch (node.OpType)
        {
            case "Shape" or "Size" or "ArgMax" or "ArgMin" or "NonZero" or "NonMaxSuppression":
                return DataType.Int64;
            case "MaxPool" or "TopK" when outputIndex == 1: // the indices output
                return DataType.Int64;
            case "Equal" or "Greater" or "GreaterOrEqual" or "Less" or "LessOrEqual" or "Not" or "And"
                or "Or" or "Xor" or "IsNaN" or "IsInf":
                return DataType.Bool;
            case "Cast":
                return AttributeInt(node, "to") is { } to ? (DataType)to : null;
            case "Constant":
                return ConstantType(node);
            case "DequantizeLinear":
                return DataType.Float;
            default:
                return null;
        }
    }

    private static DataType? ConstantType(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null: return (DataType)attribute.T.DataType;
                case "value_int" or "value_ints": return DataType.Int64;
                case "value_float" or "value_floats": return DataType.Float;
            }
        }
        return null;
    }

    private static long? AttributeInt(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { HasI: true } a ? a.I : null;
}
