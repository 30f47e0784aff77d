namespace BatchXai.Storage.Objects;

/// <summary>Opens the store a URI names. Injected, so a host decides once how stores are reached (S3 settings) and code that reads or writes maps does not.</summary>
public interface IObjectStoreFactory
{
    /// <summary>A local path, a file:// URI or s3://bucket/prefix; NotSupportedException for any other scheme.</summary>
    IObjectStore Open(string uri);
}

/// <summary>Local folders, file:// and s3:// URIs.</summary>
/// <param name="s3">Settings for s3:// URIs; null reads the BATCHXAI_S3_* environment variables when one is opened.</param>
public sealed class ObjectStoreFactory(S3Settings? s3 = null) : IObjectStoreFactory
{
    /// <summary>The factory hosts register: S3 settings from the environment.</summary>
    public static readonly ObjectStoreFactory FromEnvironment = new();

    public IObjectStore Open(string uri)
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
