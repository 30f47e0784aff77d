using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace BatchXai.Storage.Objects;

/// <summary>
/// The distributed mode's store: objects under s3://bucket/prefix on any S3-compatible service
/// (AWS, MinIO, s3rver). A PutObject replaces an object whole, so readers never see a partial one.
/// </summary>
public sealed class S3ObjectStore : IObjectStore
{
    private readonly IAmazonS3 _client;
    private readonly S3Settings _settings;
    // The prefix with one trailing '/', or "" for the bucket root.
    private readonly string _root;

    public S3ObjectStore(S3Settings settings, string bucket, string prefix = "")
    {
        if (string.IsNullOrEmpty(bucket)) throw new ArgumentException("an S3 store needs a bucket name", nameof(bucket));
        if (settings.ListPageSize is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(settings), $"ListPageSize {settings.ListPageSize}: S3 pages hold 1 to 1000 keys");
        _settings = settings;
        Bucket = bucket;
        prefix = prefix.Trim('/');
        _root = prefix.Length == 0 ? "" : prefix + "/";
        _client = CreateClient(settings);
    }

    public string Bucket { get; }

    /// <summary>The prefix under the bucket that keys are relative to ("" or ending in '/').</summary>
    public string Prefix => _root;

    private static AmazonS3Client CreateClient(S3Settings settings)
    {
        var config = new AmazonS3Config
        {
            // Path-style addressing (http://host/bucket/key): MinIO and s3rver have no per-bucket host names.
            ForcePathStyle = true,
            MaxErrorRetry = settings.MaxRetries,
            Timeout = settings.Timeout,
            // The SDK's default trailing checksums need aws-chunked uploads, which s3rver does not parse.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is not null)
        {
            config.ServiceURL = settings.Endpoint;
            config.AuthenticationRegion = settings.Region;
        }
        else config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        return settings.AccessKey is null
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), config);
    }

    public string UriOf(string key) => $"s3://{Bucket}/{ObjectKey(key)}";

    private string ObjectKey(string key)
    {
        // Keys come from dataset files: '.', '..' or empty segments would name other objects in
        // a folder store, so they are refused here too rather than stored literally.
        if (key.Length == 0 || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"object key '{key}' has an empty, '.' or '..' segment", nameof(key));
        return _root + key;
    }

    public async Task<byte[]> ReadAsync(string key, CancellationToken ct = default)
    {
        var objectKey = ObjectKey(key);
        try
        {
            using var response = await _client.GetObjectAsync(Bucket, objectKey, ct);
            var data = new byte[response.ContentLength];
            await response.ResponseStream.ReadExactlyAsync(data, ct);
            return data;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new FileNotFoundException($"no object '{key}' at {UriOf(key)} ({_settings})", UriOf(key), e);
        }
        catch (Exception e) when (Translate(e, $"read {UriOf(key)}") is { } translated) { throw translated; }
    }

    /// <summary>A ranged GET: the first bytes only.</summary>
    public async Task<byte[]> ReadHeadAsync(string key, int maxBytes, CancellationToken ct = default)
    {
        var objectKey = ObjectKey(key);
        try
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = objectKey, ByteRange = new ByteRange(0, maxBytes - 1) }, ct);
            var data = new byte[Math.Min(response.ContentLength, maxBytes)];
            await response.ResponseStream.ReadExactlyAsync(data, ct);
            return data;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new FileNotFoundException($"no object '{key}' at {UriOf(key)} ({_settings})", UriOf(key), e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "InvalidRange")
        {
            return [];   // an empty object has no first byte to range over
        }
        catch (Exception e) when (Translate(e, $"read {UriOf(key)}") is { } translated) { throw translated; }
    }

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var objectKey = ObjectKey(key);
        var bytes = MemoryMarshal.TryGetArray(data, out var segment) ? segment : new ArraySegment<byte>(data.ToArray());
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = objectKey,
            InputStream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false),
            // A plain signed body: s3rver (and some MinIO set-ups) reject aws-chunked uploads.
            UseChunkEncoding = false,
        };
        try { await _client.PutObjectAsync(request, ct); }
        catch (Exception e) when (Translate(e, $"write {UriOf(key)}") is { } translated) { throw translated; }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        var objectKey = ObjectKey(key);
        try
        {
            await _client.GetObjectMetadataAsync(Bucket, objectKey, ct);
            return true;
        }
        // A HEAD reply has no body, so a missing bucket also reads as 404 here.
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket") { return false; }
        catch (Exception e) when (Translate(e, $"look up {UriOf(key)}") is { } translated) { throw translated; }
    }

    /// <summary>
    /// Every key under the prefix, relative to the store's prefix. The pages are gathered and then
    /// sorted: S3 orders keys by UTF-8 bytes, which differs from .NET's ordinal (UTF-16) order for
    /// characters beyond U+FFFF, and the interface promises ordinal order.
    /// </summary>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _root + prefix, MaxKeys = _settings.ListPageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try { page = await _client.ListObjectsV2Async(request, ct); }
            catch (Exception e) when (Translate(e, $"list s3://{Bucket}/{_root}{prefix}") is { } translated) { throw translated; }
            foreach (var o in page.S3Objects ?? [])
            {
                // Zero-byte "folder" markers that consoles create are not objects of the store.
                if (!o.Key.EndsWith('/')) keys.Add(o.Key[_root.Length..]);
            }
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys) yield return key;
    }

    /// <summary>Errors that callers can act on, naming the bucket or endpoint (never the credentials); null to rethrow as is.</summary>
    private Exception? Translate(Exception e, string action) => e switch
    {
        OperationCanceledException when e.InnerException is not TimeoutException => null,
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
            new InvalidOperationException($"cannot {action}: bucket '{Bucket}' does not exist at {_settings}", e),
        AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" } s =>
            new UnauthorizedAccessException($"cannot {action}: {_settings} refused the credentials ({s.ErrorCode})", e),
        _ when IsUnreachable(e) => new StoreUnavailableException($"cannot {action}: S3 endpoint {_settings} is unreachable ({Innermost(e).Message})", e),
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests } s =>
            new StoreUnavailableException($"cannot {action}: {_settings} answered {(int)s.StatusCode} ({s.ErrorCode ?? s.Message})", e),
        // The SDK's MD5 check of a GET failed: the bytes changed under the read (an overwrite of the
        // same object, e.g. a republished batch writing its maps again; s3rver rewrites in place). Read again later.
        AmazonClientException when e.Message.Contains(ChecksumMismatch, StringComparison.Ordinal) =>
            new StoreUnavailableException($"cannot {action}: the bytes {_settings} sent did not match the object's checksum (overwritten while read)", e),
        _ => null,
    };

    /// <summary>What the SDK's response stream says when the MD5 of what it read differs from the object's ETag.</summary>
    private const string ChecksumMismatch = "Expected hash not equal to calculated hash";

    private static bool IsUnreachable(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            // HttpIOException: the connection broke mid-response (the server went away, or s3rver cut a read short).
            if (x is HttpRequestException or HttpIOException or SocketException or TimeoutException) return true;
        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    public void Dispose() => _client.Dispose();
}
