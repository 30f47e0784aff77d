using System.Runtime.InteropServices;

namespace BatchXai.Imaging;

/// <summary>An array read from a .npy file: its shape, its stored element type, and its values as float.</summary>
public sealed class NpyArray
{
    private readonly byte[] _littleEndianBytes;

    internal NpyArray(int[] shape, NpyDType type, byte[] littleEndianBytes)
    {
        Shape = shape;
        DType = type;
        _littleEndianBytes = littleEndianBytes;
        Data = ToFloat(type, littleEndianBytes);
    }

    public int[] Shape { get; }
    public NpyDType DType { get; }

    /// <summary>The values in C order, converted to float (exact for uint8, float16 and float32).</summary>
    public float[] Data { get; }

    public long Length => Data.Length;

    /// <summary>The stored uint8 values without conversion.</summary>
    public byte[] ToUInt8() => DType == NpyDType.UInt8
        ? (byte[])_littleEndianBytes.Clone()
        : throw new InvalidOperationException($"array is {DType}, not UInt8");

    /// <summary>The stored int32 values without conversion (Data rounds those beyond ±2^24).</summary>
    public int[] ToInt32() => DType == NpyDType.Int32
        ? MemoryMarshal.Cast<byte, int>(_littleEndianBytes).ToArray()
        : throw new InvalidOperationException($"array is {DType}, not Int32");

    private static float[] ToFloat(NpyDType type, byte[] bytes)
    {
        switch (type)
        {
            case NpyDType.Float32:
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case NpyDType.UInt8:
                return Array.ConvertAll(bytes, b => (float)b);
        }
        var result = new float[bytes.Length / NpyDTypes.Size(type)];
        switch (type)
        {
            case NpyDType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)halves[i];
                break;
            case NpyDType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)doubles[i];
                break;
            case NpyDType.Int32:
                var ints = MemoryMarshal.Cast<byte, int>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = ints[i];
                break;
        }
        return result;
    }
}
