namespace BatchXai.Storage.Objects;

/// <summary>Opens the store a URI names: a local path, a file:// URI, or s3://bucket/prefix.</summary>
public static class ObjectStores
{
    /// <param name="s3">Settings for s3:// URIs; null reads the BATCHXAI_S3_* environment variables.</param>
    public static IObjectStore Open(string uri, S3Settings? s3 = null)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return new LocalFolderStore(new Uri(uri).LocalPath);
        if (uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var (bucket, prefix) = StoreLocation.SplitS3(uri);
            return new S3ObjectStore(s3 ?? S3Settings.FromEnvironment(), bucket, prefix);
        }
        if (uri.Contains("://", StringComparison.Ordinal))
            throw new NotSupportedException($"storage URI '{uri}': supported are local folders, file:// and s3:// URIs");
        return new LocalFolderStore(uri);
    }
}
