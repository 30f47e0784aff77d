using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// A named input for <see cref="OrtInferenceSession.Run"/> that wraps caller-owned memory: no copy is
/// made. The memory is pinned only for the duration of that Run call, and must not change during it.
/// </summary>
public readonly struct OrtInputTensor
{
    private readonly ReadOnlyMemory<float> _floats;
    private readonly ReadOnlyMemory<long> _int64s;
    private readonly ReadOnlyMemory<double> _doubles;

    private OrtInputTensor(string name, OrtElementType type, ReadOnlyMemory<float> floats, ReadOnlyMemory<long> int64s, long[] shape,
        ReadOnlyMemory<double> doubles = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        ElementType = type;
        _floats = floats;
        _int64s = int64s;
        _doubles = doubles;
        Shape = shape;
    }

    /// <summary>A float32 tensor over <paramref name="data"/> (row-major) with the given shape.</summary>
    public static OrtInputTensor Float(string name, ReadOnlyMemory<float> data, params long[] shape) =>
        new(name, OrtElementType.Float, data, default, shape);

    /// <summary>An int64 tensor over <paramref name="data"/> (row-major) with the given shape.</summary>
    public static OrtInputTensor Int64(string name, ReadOnlyMemory<long> data, params long[] shape) =>
        new(name, OrtElementType.Int64, default, data, shape);

    /// <summary>A float64 tensor (e.g. a classifier head evaluated in double precision).</summary>
    public static OrtInputTensor Double(string name, ReadOnlyMemory<double> data, params long[] shape) =>
        new(name, OrtElementType.Double, default, default, shape, data);

    public string Name { get; }
    public OrtElementType ElementType { get; }

    /// <summary>Concrete dimensions (no -1). ORT copies it when the tensor is created, so it may be reused across calls.</summary>
    public long[] Shape { get; }

    internal int ElementCount => ElementType switch
    {
        OrtElementType.Float => _floats.Length,
        OrtElementType.Double => _doubles.Length,
        _ => _int64s.Length,
    };

    /// <summary>An OrtValue over the caller's memory (pinned until the value is disposed; no copy).</summary>
    internal OrtValue ToOrtValue() => ElementType switch
    {
        OrtElementType.Float => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(_floats), Shape),
        OrtElementType.Double => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(_doubles), Shape),
        _ => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(_int64s), Shape),
    };

    /// <summary>Throws when the shape is invalid or its element count differs from the data length.</summary>
    internal void Validate()
    {
        if (Name is null) throw new ArgumentException("An OrtInputTensor was default-initialised; create it with OrtInputTensor.Float, Double or Int64.");
        long expected = 1;
        foreach (var dim in Shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Input '{Name}': shape [{string.Join(",", Shape)}] has a negative dimension; give the concrete size.");
            expected *= dim;
        }
        if (expected != ElementCount)
            throw new ArgumentException(
                $"Input '{Name}': shape [{string.Join(",", Shape)}] holds {expected} elements but the data has {ElementCount}.");
    }
}
