namespace BatchXai.Onnx.Runtime;

/// <summary>
/// One output of a Run: a view of native memory owned by its <see cref="OrtRunResult"/>. Valid until
/// that result is disposed; spans taken from it must not be used after that.
/// </summary>
public readonly struct OrtOutputTensor
{
    private readonly OrtRunResult _owner;
    private readonly int _index;

    internal OrtOutputTensor(OrtRunResult owner, int index)
    {
        _owner = owner;
        _index = index;
    }

    public string Name => _owner.NameAt(_index);

    public OrtElementType ElementType => _owner.InfoAt(_index).ElementType;

    /// <summary>Concrete dimensions of this output. The array belongs to this result; don't modify it.</summary>
    public long[] Shape => _owner.InfoAt(_index).Shape;

    public long ElementCount => _owner.InfoAt(_index).ElementCount;

    /// <summary>The float32 values (row-major). Throws if the output is not float32.</summary>
    public ReadOnlySpan<float> Data => AsSpan<float>();

    /// <summary>The values as <typeparamref name="T"/>, which must match <see cref="ElementType"/> (float, long, int, double, byte, ...).</summary>
    public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged
    {
        var info = _owner.InfoAt(_index);
        var requested = OrtElementTypes.Of<T>();
        if (!info.IsTensor)
            throw new InvalidOperationException($"Output '{Name}' is not a tensor (sequence, map or optional value).");
        if (requested != info.ElementType)
            throw new InvalidOperationException(
                $"Output '{Name}' holds {OrtElementTypes.Name(info.ElementType)} values, not {typeof(T).Name} ({OrtElementTypes.Name(requested)}).");
        return _owner.ValueAt(_index).GetTensorDataAsSpan<T>();
    }

    /// <summary>Copies the float32 values into <paramref name="destination"/>, which must be at least <see cref="ElementCount"/> long.</summary>
    public void CopyTo(Span<float> destination)
    {
        var data = Data;
        if (destination.Length < data.Length)
            throw new ArgumentException(
                $"Output '{Name}' has {data.Length} values but the destination holds only {destination.Length}.", nameof(destination));
        data.CopyTo(destination);
    }

    /// <summary>Copies the float32 values into <paramref name="destination"/>, which must hold exactly <see cref="ElementCount"/>.</summary>
    internal void CopyExactlyTo(Span<float> destination, string modelSource)
    {
        if (ElementCount != destination.Length)
            throw new ArgumentException(
                $"Output '{Name}' of {modelSource} has shape [{string.Join(",", Shape)}] ({ElementCount} values) but {destination.Length} were expected.");
        Data.CopyTo(destination);
    }

    /// <summary>A managed copy of the float32 values.</summary>
    public float[] ToArray() => Data.ToArray();

    public override string ToString() => $"{Name}: {OrtElementTypes.Name(ElementType)}[{string.Join(",", Shape)}]";
}
