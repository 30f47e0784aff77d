using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>Reads the per-image maps the workers stored as .npy (input size, 2-D float32).</summary>
public static class StoredMaps
{
    public static async Task<ExplanationMap> ReadAsync(IObjectStore store, string key, CancellationToken ct)
    {
        var array = NpyFile.Read(await store.ReadAsync(key, ct));
        if (array.Shape.Length != 2) throw new InvalidDataException($"{store.UriOf(key)}: expected a 2-D map, found shape [{string.Join(',', array.Shape)}]");
        return new ExplanationMap(array.Shape[0], array.Shape[1], array.Data);
    }
}
