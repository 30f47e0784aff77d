using Amazon.S3.Model;
using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Distributed;

/// <summary>The S3 store against a real S3 service (s3rver on loopback), checked through a plain SDK client.</summary>
public sealed class S3ObjectStoreTests(S3TestBucket bucket) : IClassFixture<S3TestBucket>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<byte[]> ReadDirectAsync(string objectKey)
    {
        using var response = await bucket.Client.GetObjectAsync(bucket.Name, objectKey);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<List<string>> ListAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync(prefix)) keys.Add(key);
        return keys;
    }

    [Fact]
    public async Task Written_bytes_read_back_and_lie_under_the_prefix_in_the_bucket()
    {
        using var store = bucket.Store(_prefix);
        var data = RandomBytes(300_000, 1);

        await store.WriteAsync("run/crm/train/10_left.npy", data);

        Assert.Equal(data, await store.ReadAsync("run/crm/train/10_left.npy"));
        Assert.Equal(data, await ReadDirectAsync($"{_prefix}/run/crm/train/10_left.npy"));
        Assert.True(await store.ExistsAsync("run/crm/train/10_left.npy"));
        Assert.False(await store.ExistsAsync("run/crm/train/10_right.npy"));
    }

    /// <summary>The --directory of the s3rver serving the tests' endpoint (infra/services.sh starts it, maybe from another checkout; fault tests run others).</summary>
    private static string S3rverDataDirectory()
    {
        var port = new Uri(DistributedServices.S3().Endpoint!).Port.ToString();
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            string[] args;
            try { args = File.ReadAllText(Path.Combine(process, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            int at = Array.IndexOf(args, "--directory");
            int portAt = Array.IndexOf(args, "--port");
            if (at >= 0 && at + 1 < args.Length && portAt >= 0 && portAt + 1 < args.Length && args[portAt + 1] == port
                && args.Any(a => a.Contains("s3rver", StringComparison.Ordinal))) return args[at + 1];
        }
        throw new InvalidOperationException($"no running s3rver with --port {port} and a --directory (start it with infra/services.sh)");
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_objects_ETag_are_refused_as_a_transient_store_failure()
    {
        // s3rver keeps each object as a file beside its MD5; changing the file's bytes on disk (same length) makes it
        // serve a body whose MD5 is not the ETag it sends: what a reader sees when the object is rewritten under it.
        using var store = bucket.Store(_prefix);
        var data = RandomBytes(100_000, 3);
        await store.WriteAsync("run/map.npy", data);
        Assert.Equal(data, await store.ReadAsync("run/map.npy"));
        var file = Path.Combine(S3rverDataDirectory(), bucket.Name, _prefix, "run", "map.npy._S3rver_object");
        Assert.True(File.Exists(file), $"s3rver's file for the object is not at {file}");
        var changed = (byte[])data.Clone();
        changed[50_000] ^= 0xFF;
        await File.WriteAllBytesAsync(file, changed);

        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReadAsync("run/map.npy"));
        Assert.Contains("checksum", e.Message);
        Assert.Contains("run/map.npy", e.Message);
    }

    [Fact]
    public async Task Deleting_under_a_prefix_removes_those_objects_only()
    {
        using var store = bucket.Store(_prefix);
        foreach (var key in new[] { "scratch/a.npy", "scratch/deep/b.npy", "scratch-not/c.npy", "kept/d.npy" })
            await store.WriteAsync(key, RandomBytes(1_000, key.Length));

        Assert.Equal(2, await store.DeleteUnderAsync("scratch/"));

        Assert.Equal(["kept/d.npy", "scratch-not/c.npy"], await ListAsync(store, ""));
        Assert.Empty((await bucket.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket.Name, Prefix = $"{_prefix}/scratch/" })).S3Objects ?? []);
    }

    [Fact]
    public async Task An_empty_object_round_trips()
    {
        using var store = bucket.Store(_prefix);

        await store.WriteAsync("empty.bin", ReadOnlyMemory<byte>.Empty);

        Assert.Empty(await store.ReadAsync("empty.bin"));
        Assert.True(await store.ExistsAsync("empty.bin"));
    }

    [Fact]
    public async Task A_slice_of_a_larger_buffer_writes_only_the_slice()
    {
        using var store = bucket.Store(_prefix);
        var buffer = RandomBytes(1000, 2);

        await store.WriteAsync("slice.bin", buffer.AsMemory(100, 50));

        Assert.Equal(buffer[100..150], await ReadDirectAsync($"{_prefix}/slice.bin"));
    }

    [Fact]
    public async Task Overwriting_with_shorter_content_leaves_only_the_new_content()
    {
        using var store = bucket.Store(_prefix);
        await store.WriteAsync("a.bin", RandomBytes(10_000, 3));
        var second = RandomBytes(17, 4);

        await store.WriteAsync("a.bin", second);

        Assert.Equal(second, await store.ReadAsync("a.bin"));
        Assert.Equal(["a.bin"], await ListAsync(store, ""));
    }

    [Fact]
    public async Task Listing_is_ordinal_sorted_prefix_filtered_and_relative_to_the_store_prefix()
    {
        using var store = bucket.Store(_prefix);
        string[] keys = ["b.png", "a/b.png", "B.png", "a_b.png", "ab/c.png", "a/a/z.png", "a.png"];
        foreach (var key in keys) await store.WriteAsync(key, new byte[] { 1 });
        // An object beside the store's prefix that shares its first characters must not show.
        await bucket.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = $"{_prefix}x/a.png", ContentBody = "x", UseChunkEncoding = false });

        // Ordinal order by code point: 'B' (66) < '_' (95) < 'a' (97); '.' (46) < '/' (47) < '_' (95) < 'b' (98).
        Assert.Equal(["B.png", "a.png", "a/a/z.png", "a/b.png", "a_b.png", "ab/c.png", "b.png"], await ListAsync(store, ""));
        Assert.Equal(["a/a/z.png", "a/b.png"], await ListAsync(store, "a/"));
        Assert.Equal(["a.png", "a/a/z.png", "a/b.png", "a_b.png", "ab/c.png"], await ListAsync(store, "a"));
        Assert.Empty(await ListAsync(store, "zzz"));
    }

    [Fact]
    public async Task Listing_follows_continuation_pages_without_loss_or_repeats()
    {
        // A page size of 7 over 30 keys: five pages, the last one partly filled.
        using var store = bucket.Store(_prefix, listPageSize: 7);
        var keys = Enumerable.Range(0, 30).Select(i => $"img/{i * 7919 % 1000:D4}.png").ToList();
        await Task.WhenAll(keys.Select(k => store.WriteAsync(k, new byte[] { 2 })));

        var listed = await ListAsync(store, "img/");

        Assert.Equal(keys.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Listing_the_whole_bucket_from_a_store_without_prefix_gives_full_keys()
    {
        using var prefixed = bucket.Store(_prefix);
        await prefixed.WriteAsync("deep/k.bin", new byte[] { 3 });
        using var root = bucket.Store("");

        Assert.Contains($"{_prefix}/deep/k.bin", await ListAsync(root, _prefix));
        Assert.Equal(new byte[] { 3 }, await root.ReadAsync($"{_prefix}/deep/k.bin"));
    }

    [Fact]
    public async Task Reading_a_missing_key_throws_file_not_found_naming_the_key()
    {
        using var store = bucket.Store(_prefix);

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => store.ReadAsync("train/missing_42.jpeg"));

        Assert.Contains("train/missing_42.jpeg", e.Message);
        Assert.Contains($"s3://{bucket.Name}/{_prefix}/train/missing_42.jpeg", e.Message);
    }

    [Fact]
    public async Task A_missing_bucket_is_named_in_the_error()
    {
        using var store = new S3ObjectStore(DistributedServices.S3(), "no-such-bucket-batchxai", "p");

        var read = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReadAsync("a.png"));
        var write = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync("a.png", new byte[] { 1 }));
        var list = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ListAsync(store, ""));

        Assert.All(new[] { read, write, list }, e => Assert.Contains("bucket 'no-such-bucket-batchxai' does not exist", e.Message));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_named_in_the_error_and_the_secret_is_not()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var settings = new S3Settings { Endpoint = "http://127.0.0.1:1", AccessKey = "S3RVER", SecretKey = "top-secret-value", MaxRetries = 0 };
        using var store = new S3ObjectStore(settings, bucket.Name);

        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReadAsync("a.png")); // an IOException the worker treats as an outage, not a bad image

        Assert.Contains("http://127.0.0.1:1", e.Message);
        Assert.DoesNotContain("top-secret-value", e.ToString());
    }

    [Fact]
    public async Task Unknown_credentials_are_refused_with_an_unauthorised_error()
    {
        var settings = new S3Settings { Endpoint = DistributedServices.S3Endpoint, AccessKey = "NOT-A-KEY", SecretKey = "wrong-secret", MaxRetries = 0 };
        using var store = new S3ObjectStore(settings, bucket.Name);

        var e = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.WriteAsync("a.png", new byte[] { 1 }));

        Assert.DoesNotContain("wrong-secret", e.ToString());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("")]
    public async Task Keys_with_empty_or_dot_segments_are_refused(string key)
    {
        using var store = bucket.Store(_prefix);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(key, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync(key));
    }

    [Fact]
    public async Task UriOf_names_bucket_prefix_and_key_and_opens_the_same_object_again()
    {
        using var store = bucket.Store(_prefix + "/nested/");
        await store.WriteAsync("dir/a.png", new byte[] { 5, 6 });

        var uri = store.UriOf("dir/a.png");
        Assert.Equal($"s3://{bucket.Name}/{_prefix}/nested/dir/a.png", uri);

        // The URI of the store's root, opened through the factory, reaches the same object.
        var reopened = (S3ObjectStore)new ObjectStoreFactory(DistributedServices.S3()).Open($"s3://{bucket.Name}/{_prefix}/nested");
        using (reopened)
        {
            Assert.Equal((bucket.Name, $"{_prefix}/nested/"), (reopened.Bucket, reopened.Prefix));
            Assert.Equal(new byte[] { 5, 6 }, await reopened.ReadAsync("dir/a.png"));
        }
    }

    [Fact]
    public void The_factory_reads_a_bucket_only_uri_and_refuses_one_without_a_bucket()
    {
        using var whole = (S3ObjectStore)new ObjectStoreFactory(DistributedServices.S3()).Open($"s3://{bucket.Name}");
        Assert.Equal((bucket.Name, ""), (whole.Bucket, whole.Prefix));
        Assert.Throws<ArgumentException>(() => new ObjectStoreFactory(DistributedServices.S3()).Open("s3:///prefix"));
    }

    [Fact]
    public void Settings_never_print_the_secret()
    {
        var settings = new S3Settings { Endpoint = "http://minio:9000", AccessKey = "k", SecretKey = "s3cr3t-value" };

        Assert.Equal("http://minio:9000", settings.ToString());
    }
}
