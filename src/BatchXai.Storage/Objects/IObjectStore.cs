namespace BatchXai.Storage.Objects;

/// <summary>
/// A flat key → bytes store rooted somewhere (a local folder now, S3/MinIO in distributed mode).
/// Keys are '/'-separated and relative to the store's root. Disposable because remote stores
/// hold connections: open one for a unit of work and dispose it.
/// </summary>
public interface IObjectStore : IDisposable
{
    /// <summary>A URI naming the object, for rows, logs and error messages.</summary>
    string UriOf(string key);

    Task<byte[]> ReadAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// At most the first <paramref name="maxBytes"/> bytes of the object (all of a shorter one): enough
    /// to read a file's header (a DICOM file's frame count) without fetching its pixels. A store that
    /// cannot read part of an object reads all of it.
    /// </summary>
    async Task<byte[]> ReadHeadAsync(string key, int maxBytes, CancellationToken ct = default)
    {
        var all = await ReadAsync(key, ct);
        return all.Length <= maxBytes ? all : all[..maxBytes];
    }

    /// <summary>Writes the whole object; a reader never sees a partly written one.</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Every key under <paramref name="prefix"/> ("" for all), in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct = default);
}
