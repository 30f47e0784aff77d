namespace BatchXai.Storage.Objects;

/// <summary>
/// Where an S3-compatible service is and how to sign for it (AWS, MinIO, s3rver). Not a record:
/// a record's generated ToString would print the secret into logs.
/// </summary>
public sealed class S3Settings
{
    public const string EndpointVariable = "BATCHXAI_S3_ENDPOINT";
    public const string RegionVariable = "BATCHXAI_S3_REGION";
    public const string AccessKeyVariable = "BATCHXAI_S3_ACCESS_KEY";
    public const string SecretKeyVariable = "BATCHXAI_S3_SECRET_KEY";

    /// <summary>Service URL such as http://127.0.0.1:4569; null for AWS itself (chosen by <see cref="Region"/>).</summary>
    public string? Endpoint { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>Null (with <see cref="SecretKey"/>) to let the SDK find credentials itself (instance role, profile).</summary>
    public string? AccessKey { get; init; }

    public string? SecretKey { get; init; }

    /// <summary>Retries of transient faults (network, 5xx, throttling), with the SDK's back-off.</summary>
    public int MaxRetries { get; init; } = 3;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Keys per ListObjectsV2 page (S3 caps it at 1000).</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>The settings named by the BATCHXAI_S3_* environment variables.</summary>
    public static S3Settings FromEnvironment()
    {
        static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        var settings = new S3Settings
        {
            Endpoint = Read(EndpointVariable),
            Region = Read(RegionVariable) ?? "us-east-1",
            AccessKey = Read(AccessKeyVariable),
            SecretKey = Read(SecretKeyVariable),
        };
        if ((settings.AccessKey is null) != (settings.SecretKey is null))
            throw new InvalidOperationException($"set both {AccessKeyVariable} and {SecretKeyVariable}, or neither");
        return settings;
    }

    /// <summary>Where, never the credentials.</summary>
    public override string ToString() => Endpoint ?? $"AWS S3 ({Region})";
}
