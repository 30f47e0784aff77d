using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BatchXai.Contracts;
using BatchXai.Storage.Objects;

namespace BatchXai.Storage.Models;

/// <summary>
/// Models fetched from an object store, on local disk by content: each model is a folder named by
/// its key (the SHA-256 over its files' paths and SHA-256s, <see cref="KeyOf"/>) holding the
/// manifest and the files it names, so runs of the same model share one copy and a replaced model
/// gets a new one. Every downloaded file is checked against the SHA-256 the run was queued with
/// (<see cref="ModelIntegrityException"/> otherwise); a copy on disk is checked again the first
/// time a process uses it. Concurrent requests for one model in a process download it once; a
/// copy is written beside and renamed into place, so processes sharing the folder never see half
/// a model. Beyond <see cref="MaxBytes"/> the least recently used models are deleted, except the
/// ones this process has used (their sessions may still read them).
/// </summary>
public sealed class ModelFileCache
{
    /// <summary>8 GiB: a few dozen classifier models.</summary>
    public const long DefaultMaxBytes = 8L << 30;

    private const string IncomingPrefix = ".incoming-";
    private readonly IObjectStoreFactory _stores;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _models = new(StringComparer.Ordinal);
    private long _downloads;

    /// <param name="directory">Folder of the cached models (created on first use).</param>
    /// <param name="stores">Opens the store a model folder URI names; default <see cref="ObjectStoreFactory.FromEnvironment"/>.</param>
    public ModelFileCache(string directory, long maxBytes = DefaultMaxBytes, IObjectStoreFactory? stores = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        _stores = stores ?? ObjectStoreFactory.FromEnvironment;
    }

    public string Directory { get; }

    /// <summary>models/ under BatchXai's cache folder (<paramref name="cacheRoot"/>), or under the temporary folder when caching is off.</summary>
    public static string DefaultDirectory(string? cacheRoot) => Path.Combine(cacheRoot ?? Path.Combine(Path.GetTempPath(), "batchxai-cache"), "models");

    public long MaxBytes { get; }

    /// <summary>Files this instance has read from a store (a cache hit reads none).</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>A model's identity: lower-case hex SHA-256 over "path\nsha256\n" of each of its files, in order.</summary>
    public static string KeyOf(IReadOnlyList<ModelFile> files) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(files.Select(f => $"{f.Path}\n{f.Sha256}\n")))));

    /// <summary>
    /// The local manifest path of the model <paramref name="manifestUri"/> names, with exactly the
    /// bytes of <paramref name="files"/> (the manifest first): from the cache, else downloaded.
    /// </summary>
    /// <exception cref="ModelIntegrityException">A file in the store differs from the run's SHA-256.</exception>
    public async Task<string> GetAsync(string manifestUri, IReadOnlyList<ModelFile> files, CancellationToken ct = default)
    {
        var model = ModelUri.ParseRemote(manifestUri);
        if (files.Count == 0 || files[0].Path != model.ManifestName)
            throw new ArgumentException($"model {manifestUri}: the run's file list must start with the manifest '{model.ManifestName}'", nameof(files));
        var key = KeyOf(files);
        // Shared by every batch that asks meanwhile, so not cancelled by any one of them.
        var fetch = _models.GetOrAdd(key, k => new Lazy<Task<string>>(() => FetchAsync(model, files, k)));
        try
        {
            return await fetch.Value.WaitAsync(ct);
        }
        catch (Exception) when (fetch.Value.IsFaulted)
        {
            // Not cached: a repaired object or a store back up serves the next batch.
            _models.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, fetch));
            throw;
        }
    }

    /// <summary>
    /// The coordinator's side: reads the manifest <paramref name="manifestUri"/> names and the files
    /// <paramref name="referencedFiles"/> finds in it, hashes them and keeps them in the cache.
    /// </summary>
    /// <param name="referencedFiles">The paths (relative to the manifest) of the files a manifest's bytes name.</param>
    /// <returns>The local manifest path, and the files with their SHA-256 as runs carry them.</returns>
    public async Task<(string ManifestPath, IReadOnlyList<ModelFile> Files)> AddAsync(string manifestUri,
        Func<byte[], IEnumerable<string>> referencedFiles, CancellationToken ct = default)
    {
        var model = ModelUri.ParseRemote(manifestUri);
        var contents = new List<(string Path, byte[] Bytes)>();
        using (var store = _stores.Open(model.FolderUri))
        {
            contents.Add((model.ManifestName, await ReadAsync(store, model.ManifestName, ct)));
            foreach (var path in referencedFiles(contents[0].Bytes).Select(p => ModelUri.CheckRelative(p, model.ManifestUri)).Distinct())
                contents.Add((path, await ReadAsync(store, path, ct)));
        }
        var files = contents.Select(c => new ModelFile(c.Path, Sha256Of(c.Bytes), c.Bytes.LongLength)).ToList();
        var key = KeyOf(files);
        var folder = Path.Combine(Directory, key);
        if (!System.IO.Directory.Exists(folder) || Problem(folder, files) is not null) Place(key, contents);
        var manifestPath = Path.Combine(folder, model.ManifestName);
        // An embedded worker in this process finds it without a second download.
        _models.TryAdd(key, new Lazy<Task<string>>(Task.FromResult(manifestPath)));
        Touch(folder);
        Trim(key);
        return (manifestPath, files);
    }

    private async Task<string> FetchAsync(ModelUri model, IReadOnlyList<ModelFile> files, string key)
    {
        await Task.Yield(); // the download runs outside the caller's lock-free GetOrAdd
        var folder = Path.Combine(Directory, key);
        var manifestPath = Path.Combine(folder, model.ManifestName);
        if (System.IO.Directory.Exists(folder))
        {
            if (Problem(folder, files) is null)
            {
                Touch(folder);
                return manifestPath;
            }
            TryDelete(folder); // corrupt or incomplete (someone else's edit): fetch it again
        }
        var contents = new List<(string Path, byte[] Bytes)>();
        using (var store = _stores.Open(model.FolderUri))
        {
            foreach (var file in files)
            {
                var path = ModelUri.CheckRelative(file.Path, model.ManifestUri);
                var bytes = await ReadAsync(store, path, CancellationToken.None);
                var actual = Sha256Of(bytes);
                if (actual != file.Sha256) throw ModelIntegrityException.Mismatch(store.UriOf(path), file.Sha256, actual);
                contents.Add((path, bytes));
            }
        }
        Place(key, contents);
        Touch(folder);
        Trim(key);
        return manifestPath;
    }

    private async Task<byte[]> ReadAsync(IObjectStore store, string key, CancellationToken ct)
    {
        var bytes = await store.ReadAsync(key, ct);
        Interlocked.Increment(ref _downloads);
        return bytes;
    }

    /// <summary>Writes the files into a folder of their own, then renames it into place (another process may have won: then theirs is kept).</summary>
    private void Place(string key, IReadOnlyList<(string Path, byte[] Bytes)> contents)
    {
        var folder = Path.Combine(Directory, key);
        var incoming = Path.Combine(Directory, IncomingPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var (path, bytes) in contents)
            {
                var target = Path.Combine(incoming, path);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, bytes);
            }
            if (System.IO.Directory.Exists(folder)) TryDelete(folder);
            try { System.IO.Directory.Move(incoming, folder); }
            catch (IOException) when (System.IO.Directory.Exists(folder)) { }
        }
        finally
        {
            TryDelete(incoming);
        }
    }

    /// <summary>Null when every file is there with its length and SHA-256; else what is wrong.</summary>
    private static string? Problem(string folder, IReadOnlyList<ModelFile> files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file.Path);
            var info = new FileInfo(path);
            if (!info.Exists) return $"{path} is missing";
            if (info.Length != file.Length) return $"{path} has {info.Length} bytes, not {file.Length}";
            if (Sha256OfFile(path) != file.Sha256) return $"{path} has other bytes";
        }
        return null;
    }

    /// <summary>Deletes least recently used models until the folder fits <see cref="MaxBytes"/>; never <paramref name="keep"/> or one this process uses.</summary>
    private void Trim(string keep)
    {
        var models = new DirectoryInfo(Directory).EnumerateDirectories()
            .Where(d => !d.Name.StartsWith('.'))
            .Select(d => (Folder: d, Bytes: d.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length), Used: d.LastWriteTimeUtc))
            .ToList();
        long total = models.Sum(m => m.Bytes);
        foreach (var m in models.OrderBy(m => m.Used))
        {
            if (total <= MaxBytes) break;
            if (m.Folder.Name == keep || _models.ContainsKey(m.Folder.Name)) continue;
            if (TryDelete(m.Folder.FullName)) total -= m.Bytes;
        }
    }

    /// <summary>Marks a model used now: eviction goes by the folder's write time.</summary>
    private static void Touch(string folder)
    {
        try { System.IO.Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool TryDelete(string folder)
    {
        try
        {
            if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of a local file, read as a stream.</summary>
    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
