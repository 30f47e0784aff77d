using System.Runtime.InteropServices;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>Reads the per-image maps the workers stored as .npy (input size, 2-D float32), or rebuilds them from their row.</summary>
public static class StoredMaps
{
    /// <summary>
    /// The row's low-resolution copy (float32 bytes, <see cref="ImageResultRow.MapHeight"/> ×
    /// <see cref="ImageResultRow.MapWidth"/>) bilinearly resized to the input size: the stored .npy
    /// itself, bit for bit, when the copy is the method's own grid (CAM/CRM feature maps), since the
    /// worker made the .npy from that grid with the same resize. Null when the row holds no copy.
    /// </summary>
    public static ExplanationMap? FromRow(ImageResultRow row, int height, int width)
    {
        if (row.MapHeight <= 0 || row.MapWidth <= 0 || LowResMapBytes.Values(row.MapLowRes, row.MapHeight * row.MapWidth) is not { } values) return null;
        return BilinearUpsampler.Resize(new ExplanationMap(row.MapHeight, row.MapWidth, values), height, width);
    }

    /// <summary>Whether two maps are the same size and the same floats, bit for bit.</summary>
    public static bool Identical(ExplanationMap a, ExplanationMap b) =>
        a.Height == b.Height && a.Width == b.Width && MemoryMarshal.AsBytes(a.Values.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.Values.AsSpan()));

    public static async Task<ExplanationMap> ReadAsync(IObjectStore store, string key, CancellationToken ct)
    {
        var array = NpyFile.Read(await store.ReadAsync(key, ct));
        if (array.Shape.Length != 2) throw new InvalidDataException($"{store.UriOf(key)}: expected a 2-D map, found shape [{string.Join(',', array.Shape)}]");
        return new ExplanationMap(array.Shape[0], array.Shape[1], array.Data);
    }
}
