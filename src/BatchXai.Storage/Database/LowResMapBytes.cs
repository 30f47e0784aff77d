using System.Runtime.InteropServices;

namespace BatchXai.Storage.Database;

/// <summary>
/// The one byte layout of <see cref="ImageResultRow.MapLowRes"/>: the map's float32 values, row-major,
/// in the machine's byte order. The worker writes it; the aggregator rebuilds maps from it.
/// </summary>
public static class LowResMapBytes
{
    public static byte[] From(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The values, or null when the bytes are not <paramref name="count"/> floats.</summary>
    public static float[]? Values(byte[] bytes, int count) =>
        count > 0 && bytes.Length == count * sizeof(float) ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : null;
}
