using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Util;
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
            // The SDK wraps the body in a stream that checks it against the ETag with its own managed MD5, a fifth
            // of the CPU of reading a map (profile of the aggregation pass, issue 17): the body is read beneath that
            // wrapper and the same check made below with the platform's MD5.
            var body = response.ResponseStream is MD5Stream checking ? checking.GetNonWrapperBaseStream() : response.ResponseStream;
            await body.ReadExactlyAsync(data, ct);
            if (!MatchesETag(response, data))
                throw Overwritten($"read {UriOf(key)}", new InvalidDataException($"the MD5 of the {data.Length} bytes read is not the object's ETag {response.ETag}"));
            return data;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new FileNotFoundException($"no object '{key}' at {UriOf(key)} ({_settings})", UriOf(key), e);
        }
        catch (Exception e) when (Translate(e, $"read {UriOf(key)}") is { } translated) { throw translated; }
    }

    /// <summary>
    /// The SDK's rule for when an ETag is the MD5 of the body (what it checks on a GET without a range): not
    /// a multipart ETag (with '-') and not encrypted with a customer or KMS key. Other ETags cannot be checked.
    /// </summary>
    private static bool MatchesETag(GetObjectResponse response, byte[] data)
    {
        var etag = response.ETag?.Trim('"');
        if (string.IsNullOrEmpty(etag) || etag.Contains('-')
            || !string.IsNullOrEmpty(response.ServerSideEncryptionCustomerMethod?.Value) && response.ServerSideEncryptionCustomerMethod != ServerSideEncryptionCustomerMethod.None
            || !string.IsNullOrEmpty(response.ServerSideEncryptionKeyManagementServiceKeyId))
            return true;
        return Convert.ToHexStringLower(MD5.HashData(data)).Equals(etag, StringComparison.OrdinalIgnoreCase);
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

    /// <summary>
    /// Deletes every object under <paramref name="prefix"/> (relative to the store's root; "" for all of it), a
    /// thousand keys a request, and returns how many there were. For scratch data (the benchmarks' runs);
    /// a run's results are never deleted by the services.
    /// </summary>
    public async Task<int> DeleteUnderAsync(string prefix, CancellationToken ct = default)
    {
        var keys = new List<string>();
        await foreach (var key in ListAsync(prefix, ct)) keys.Add(key);
        foreach (var chunk in keys.Chunk(1000))
        {
            var request = new DeleteObjectsRequest { BucketName = Bucket, Quiet = true, Objects = chunk.Select(k => new KeyVersion { Key = ObjectKey(k) }).ToList() };
            try { await _client.DeleteObjectsAsync(request, ct); }
            catch (Exception e) when (Translate(e, $"delete under s3://{Bucket}/{_root}{prefix}") is { } translated) { throw translated; }
        }
        return keys.Count;
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
        // The SDK's own MD5 check failed (ReadAsync makes its check itself and throws Overwritten directly): the bytes
        // changed under the read (an overwrite of the same object, e.g. a republished batch writing its maps again;
        // s3rver rewrites in place). Read again later.
        AmazonClientException when e.Message.Contains(ChecksumMismatch, StringComparison.Ordinal) => Overwritten(action, e),
        _ => null,
    };

    private StoreUnavailableException Overwritten(string action, Exception e) =>
        new($"cannot {action}: the bytes {_settings} sent did not match the object's checksum (overwritten while read)", e);

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
