namespace BatchXai.Storage.Objects;

/// <summary>Opens the store a URI names: a local path or file:// URI (s3:// arrives with the distributed mode).</summary>
public static class ObjectStores
{
    public static IObjectStore Open(string uri)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return new LocalFolderStore(new Uri(uri).LocalPath);
        if (uri.Contains("://", StringComparison.Ordinal))
            throw new NotSupportedException($"storage URI '{uri}': only local folders are supported in embedded mode");
        return new LocalFolderStore(uri);
    }
}
