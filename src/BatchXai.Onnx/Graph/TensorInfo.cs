using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Name, element type and (when declared) shape of a tensor in an ONNX graph.
/// <see cref="Dims"/> is null when the rank itself is unknown.
/// </summary>
public sealed record TensorInfo(string Name, TensorProto.Types.DataType ElementType, IReadOnlyList<TensorDim>? Dims)
{
    public int? Rank => Dims?.Count;

    internal static TensorInfo FromValueInfo(ValueInfoProto valueInfo)
    {
        var tensorType = valueInfo.Type?.TensorType;
        var elementType = (TensorProto.Types.DataType)(tensorType?.ElemType ?? 0);
        IReadOnlyList<TensorDim>? dims = tensorType?.Shape?.Dim.Select(ToDim).ToArray();
        return new TensorInfo(valueInfo.Name, elementType, dims);
    }

    private static TensorDim ToDim(TensorShapeProto.Types.Dimension dim) => dim.ValueCase switch
    {
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => TensorDim.Static(dim.DimValue),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => TensorDim.Symbolic(dim.DimParam),
        _ => TensorDim.Unknown,
    };

    public override string ToString() =>
        $"{Name}: {ElementType}[{(Dims is null ? "?" : string.Join(", ", Dims))}]";
}
