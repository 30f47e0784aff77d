namespace BatchXai.Storage.Objects;

/// <summary>
/// Where a store URI really reads and writes, for deciding whether one location lies inside
/// another: an S3 bucket and key prefix (no "." or ".." segments: some S3 servers map keys onto
/// a file system), or a local folder as an absolute path with every symbolic link resolved (so
/// that neither ".." nor a link leads out of a folder that looks inside).
/// </summary>
public sealed record StoreLocation(string? Bucket, string Path)
{
    private const int MaxLinks = 40;

    public bool IsS3 => Bucket is not null;

    /// <summary>Parses a local path, file:// or s3:// URI as <see cref="ObjectStoreFactory.Open"/> takes it; ArgumentException when it is malformed.</summary>
    public static StoreLocation Parse(string uri)
    {
        if (uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var (bucket, prefix) = SplitS3(uri);
            var segments = prefix.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Any(s => s is "." or ".."))
                throw new ArgumentException($"storage URI '{uri}': '.' and '..' segments are not allowed", nameof(uri));
            return new StoreLocation(bucket, string.Join('/', segments));
        }
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return Local(new Uri(uri).LocalPath);
        if (uri.Contains("://", StringComparison.Ordinal))
            throw new ArgumentException($"storage URI '{uri}': supported are local folders, file:// and s3:// URIs", nameof(uri));
        return Local(uri);
    }

    /// <summary>s3://bucket/prefix as (bucket, prefix without surrounding slashes).</summary>
    public static (string Bucket, string Prefix) SplitS3(string uri)
    {
        var path = uri["s3://".Length..];
        int slash = path.IndexOf('/');
        var bucket = slash < 0 ? path : path[..slash];
        if (bucket.Length == 0) throw new ArgumentException($"storage URI '{uri}' names no bucket", nameof(uri));
        return (bucket, slash < 0 ? "" : path[(slash + 1)..].Trim('/'));
    }

    /// <summary>True when this location is <paramref name="outer"/> or lies below it (whole segments: /data/results-old is not below /data/results).</summary>
    public bool IsWithin(StoreLocation outer)
    {
        if (IsS3 != outer.IsS3) return false;
        if (IsS3 && !string.Equals(Bucket, outer.Bucket, StringComparison.Ordinal)) return false;
        if (outer.Path.Length == 0 || Path == outer.Path) return true;
        var root = IsS3 ? outer.Path + "/" : System.IO.Path.TrimEndingDirectorySeparator(outer.Path) + System.IO.Path.DirectorySeparatorChar;
        return Path.StartsWith(root, StringComparison.Ordinal);
    }

    public override string ToString() => IsS3 ? $"s3://{Bucket}/{Path}" : Path;

    private static StoreLocation Local(string path)
    {
        if (path.Length == 0) throw new ArgumentException("an empty folder path", nameof(path));
        return new StoreLocation(null, RealPath(System.IO.Path.GetFullPath(path), 0));
    }

    /// <summary>The absolute path with every existing symbolic link on the way resolved; parts that do not exist yet are kept as written.</summary>
    private static string RealPath(string fullPath, int links)
    {
        var root = System.IO.Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = System.IO.Path.Combine(current, part);
            // LinkTarget is read from the link itself, so a dangling link is resolved too.
            if (new FileInfo(next).LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new ArgumentException($"'{fullPath}': more than {MaxLinks} symbolic links on the way");
                current = RealPath(System.IO.Path.GetFullPath(target, current), links);
            }
            else current = next;
        }
        return current;
    }
}
