using System.Runtime.CompilerServices;

namespace BatchXai.Storage.Objects;

/// <summary>The embedded default: objects are files under a root folder.</summary>
public sealed class LocalFolderStore : IObjectStore
{
    // Root with one trailing separator: a bare string prefix test would let "../store-x/k"
    // through for a root ".../store".
    private readonly string _rootPrefix;

    public LocalFolderStore(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootPrefix = Path.EndsInDirectorySeparator(Root) ? Root : Root + Path.DirectorySeparatorChar;
    }

    public string Root { get; }

    /// <summary>Nothing to release: files are opened and closed per call.</summary>
    public void Dispose() { }

    public string UriOf(string key) => new Uri(PathOf(key)).AbsoluteUri;

    public string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(Root, key));
        // Keys come from dataset files (CSV rows): refuse anything that climbs out of the root.
        if (!path.StartsWith(_rootPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"object key '{key}' points outside the store root {Root}", nameof(key));
        return path;
    }

    public Task<byte[]> ReadAsync(string key, CancellationToken ct = default) => File.ReadAllBytesAsync(ReadablePath(key), ct);

    public async Task<byte[]> ReadHeadAsync(string key, int maxBytes, CancellationToken ct = default)
    {
        await using var file = File.OpenRead(ReadablePath(key));
        var head = new byte[(int)Math.Min(maxBytes, file.Length)];
        await file.ReadExactlyAsync(head, ct);
        return head;
    }

    private string ReadablePath(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) throw new FileNotFoundException($"no object '{key}' in {Root}", path);
        // A symbolic link in the dataset (the file or a folder on its way) must not reach outside the root.
        var real = RealPath(path);
        if (!real.StartsWith(RealRootPrefix, StringComparison.Ordinal))
            throw new UnauthorizedAccessException($"object '{key}' is a symbolic link to {real}, outside the store root {Root}");
        return path;
    }

    private string RealRootPrefix => _realRootPrefix ??= RealPath(Root) is var r && Path.EndsInDirectorySeparator(r) ? r : r + Path.DirectorySeparatorChar;
    private string? _realRootPrefix;

    /// <summary>The path with every symbolic link on it resolved (as realpath(3)), component by component.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var pending = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        for (int hops = 0; pending.Count > 0;)
        {
            var next = Path.Combine(current, pending.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is null) { current = next; continue; }
            if (++hops > 40) throw new IOException($"too many levels of symbolic links at {next}");
            var target = Path.GetFullPath(info.LinkTarget, current);
            // Restart from the target's root with the target's components, then the rest.
            var rest = pending.ToList();
            pending = new Queue<string>(target[Path.GetPathRoot(target)!.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            current = Path.GetPathRoot(target)!;
        }
        return current;
    }

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                await stream.WriteAsync(data, ct);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // A cancelled or failed write must not leave its partial temp file behind.
            File.Delete(temp);
            throw;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(File.Exists(PathOf(key)));

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!Directory.Exists(Root)) yield break;
        var keys = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !k.EndsWith(".tmp", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            ct.ThrowIfCancellationRequested();
            yield return key;
        }
        await Task.CompletedTask;
    }
}
