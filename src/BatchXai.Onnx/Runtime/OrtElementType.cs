namespace BatchXai.Onnx.Runtime;

/// <summary>Tensor element types (<c>ONNXTensorElementDataType</c>; values are ONNX's TensorProto.DataType).</summary>
public enum OrtElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
}

internal static class OrtElementTypes
{
    /// <summary>The element type whose values have the layout of <typeparamref name="T"/>, or Undefined.</summary>
    public static OrtElementType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? OrtElementType.Float
        : typeof(T) == typeof(long) ? OrtElementType.Int64
        : typeof(T) == typeof(int) ? OrtElementType.Int32
        : typeof(T) == typeof(double) ? OrtElementType.Double
        : typeof(T) == typeof(byte) ? OrtElementType.UInt8
        : typeof(T) == typeof(sbyte) ? OrtElementType.Int8
        : typeof(T) == typeof(short) ? OrtElementType.Int16
        : typeof(T) == typeof(ushort) ? OrtElementType.UInt16
        : typeof(T) == typeof(uint) ? OrtElementType.UInt32
        : typeof(T) == typeof(ulong) ? OrtElementType.UInt64
        : typeof(T) == typeof(bool) ? OrtElementType.Bool
        : typeof(T) == typeof(Half) ? OrtElementType.Float16
        : OrtElementType.Undefined;

    /// <summary>Lower-case ONNX-style name used in messages, e.g. "float", "int64".</summary>
    public static string Name(OrtElementType type) => type.ToString().ToLowerInvariant();
}
