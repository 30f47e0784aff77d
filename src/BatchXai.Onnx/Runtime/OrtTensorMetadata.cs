namespace BatchXai.Onnx.Runtime;

/// <summary>Name, element type and shape of one model input or output, as ONNX Runtime reports them.</summary>
public sealed class OrtTensorMetadata
{
    internal OrtTensorMetadata(string name, bool isTensor, OrtElementType elementType, long[] shape, string?[] symbolicDimensions)
    {
        Name = name;
        IsTensor = isTensor;
        ElementType = elementType;
        Shape = shape;
        SymbolicDimensions = symbolicDimensions;
    }

    public string Name { get; }

    /// <summary>False for sequence, map or optional values; those have no element type or shape here.</summary>
    public bool IsTensor { get; }

    public OrtElementType ElementType { get; }

    /// <summary>Dimensions; -1 where the dimension is dynamic (symbolic such as "batch", or unknown).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Per dimension, its symbolic name (e.g. "batch") or null when it has none.</summary>
    public IReadOnlyList<string?> SymbolicDimensions { get; }

    public int Rank => Shape.Count;

    /// <summary>e.g. <c>input: float[batch,3,224,224]</c>.</summary>
    public override string ToString()
    {
        if (!IsTensor) return $"{Name}: (non-tensor)";
        var dims = Shape.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDimensions[i] ?? "?");
        return $"{Name}: {OrtElementTypes.Name(ElementType)}[{string.Join(",", dims)}]";
    }
}
