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

    /// <summary>Writes the whole object; a reader never sees a partly written one.</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Every key under <paramref name="prefix"/> ("" for all), in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct = default);
}
