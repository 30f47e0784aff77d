using BatchXai.Storage.Objects;

namespace BatchXai.Storage.Models;

/// <summary>
/// Where a model's manifest lives: an s3:// object (fetched into a worker's cache) or a local path
/// (a volume every worker mounts, read in place). An s3:// URI not ending in ".json" names the
/// model's folder, whose manifest is <see cref="DefaultManifest"/>.
/// </summary>
public sealed record ModelUri(string FolderUri, string ManifestName)
{
    /// <summary>The manifest's name in a model folder of the store, as <c>batchxai upload-model</c> writes it.</summary>
    public const string DefaultManifest = "manifest.json";

    /// <summary>True for s3:// URIs (models fetched from the store); false for local paths and file:// URIs.</summary>
    public static bool IsRemote(string uri) => uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The manifest's URI as runs record it and messages carry it.</summary>
    public string ManifestUri => $"{FolderUri}/{ManifestName}";

    /// <summary>Splits an s3:// model URI into its folder and manifest name; ArgumentException naming the URI when it is not one.</summary>
    public static ModelUri ParseRemote(string uri)
    {
        if (!IsRemote(uri)) throw new ArgumentException($"model '{uri}' is not an s3:// URI", nameof(uri));
        var location = StoreLocation.Parse(uri.TrimEnd('/')); // refuses '.' and '..' segments
        var path = location.Path;
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            int slash = path.LastIndexOf('/');
            if (slash < 0) throw new ArgumentException($"model '{uri}': keep the manifest in a folder of the bucket (e.g. s3://{location.Bucket}/models/NAME/{DefaultManifest})", nameof(uri));
            return new ModelUri($"s3://{location.Bucket}/{path[..slash]}", path[(slash + 1)..]);
        }
        if (path.Length == 0) throw new ArgumentException($"model '{uri}' names a bucket, not a model folder or manifest", nameof(uri));
        return new ModelUri($"s3://{location.Bucket}/{path}", DefaultManifest);
    }

    /// <summary>A relative path a manifest may name in the store: no root, no '.' or '..' segments ('/'-separated).</summary>
    public static string CheckRelative(string path, string manifestUri)
    {
        var normalised = path.Replace('\\', '/');
        if (Path.IsPathRooted(path) || normalised.Contains("://", StringComparison.Ordinal) ||
            normalised.Split('/').Any(s => s is "" or "." or ".."))
            throw new InvalidDataException($"model {manifestUri}: a manifest in an object store names its files relative to itself, inside its folder; '{path}' is not");
        return normalised;
    }
}
