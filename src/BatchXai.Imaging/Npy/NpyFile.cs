using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace BatchXai.Imaging;

/// <summary>
/// numpy .npy files (format version 1.0, C order, little-endian) so Python users can
/// <c>np.load</c> stored maps. Writes float32, float16, uint8 and int32; reads those and float64.
/// </summary>
public static class NpyFile
{
    public static void Write(Stream stream, ReadOnlySpan<float> data, ReadOnlySpan<int> shape, bool asFloat16 = false)
    {
        var type = asFloat16 ? NpyDType.Float16 : NpyDType.Float32;
        WriteHeader(stream, type, shape, data.Length);
        if (!asFloat16)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        // Convert in chunks: no array the size of the map, and round-to-nearest-even like numpy's astype.
        const int chunk = 4096;
        Half[] buffer = ArrayPool<Half>.Shared.Rent(chunk);
        try
        {
            for (int start = 0; start < data.Length; start += chunk)
            {
                int n = Math.Min(chunk, data.Length - start);
                for (int i = 0; i < n; i++) buffer[i] = (Half)data[start + i];
                stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
            }
        }
        finally
        {
            ArrayPool<Half>.Shared.Return(buffer);
        }
    }

    public static void WriteBytes(Stream stream, ReadOnlySpan<byte> data, ReadOnlySpan<int> shape)
    {
        WriteHeader(stream, NpyDType.UInt8, shape, data.Length);
        stream.Write(data);
    }

    public static void WriteInt32(Stream stream, ReadOnlySpan<int> data, ReadOnlySpan<int> shape)
    {
        WriteHeader(stream, NpyDType.Int32, shape, data.Length);
        stream.Write(MemoryMarshal.AsBytes(data));
    }

    /// <summary>The .npy bytes of a float array: convenient for object-storage puts.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> data, ReadOnlySpan<int> shape, bool asFloat16 = false)
    {
        using var stream = new MemoryStream();
        Write(stream, data, shape, asFloat16);
        return stream.ToArray();
    }

    public static NpyArray Read(Stream stream)
    {
        var (type, bigEndian, shape) = NpyHeader.Read(stream);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new InvalidDataException($".npy shape ({string.Join(", ", shape)}) has a negative dimension");
            count *= d;
            if (count > Array.MaxLength) throw new InvalidDataException($".npy array of shape ({string.Join(", ", shape)}) is too large");
        }
        int itemSize = NpyDTypes.Size(type);
        var bytes = new byte[checked(count * itemSize)];
        NpyHeader.ReadExactly(stream, bytes, "data");
        if (bigEndian) SwapToLittleEndian(bytes, itemSize);
        return new NpyArray(shape, type, bytes);
    }

    public static NpyArray Read(byte[] file) => Read(new MemoryStream(file, writable: false));

    private static void WriteHeader(Stream stream, NpyDType type, ReadOnlySpan<int> shape, int length)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy writer assumes a little-endian host");
        long expected = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) has a negative dimension", nameof(shape));
            expected *= d;
        }
        if (expected != length)
            throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) holds {expected} elements, data has {length}", nameof(shape));
        stream.Write(NpyHeader.Build(type, shape));
    }

    private static void SwapToLittleEndian(byte[] bytes, int itemSize)
    {
        switch (itemSize)
        {
            case 2:
                var ushorts = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
                BinaryPrimitives.ReverseEndianness(ushorts, ushorts);
                break;
            case 4:
                var uints = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan());
                BinaryPrimitives.ReverseEndianness(uints, uints);
                break;
            case 8:
                var ulongs = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
                BinaryPrimitives.ReverseEndianness(ulongs, ulongs);
                break;
        }
    }
}
