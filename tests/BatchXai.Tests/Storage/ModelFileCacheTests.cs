using System.Security.Cryptography;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Coordinator.Models;
using BatchXai.Storage.Models;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Distributed;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchXai.Tests.Storage;

/// <summary>
/// Models fetched from a real S3 service (s3rver on loopback) into the on-disk cache by hash: the
/// coordinator's read and hashes, a worker's checked download, reuse without a download, one
/// download for concurrent batches, eviction beyond the bound, and refusal of changed bytes.
/// </summary>
public sealed class ModelFileCacheTests(S3TestBucket bucket) : IClassFixture<S3TestBucket>, IDisposable
{
    private readonly TempFolder _caches = new("model-caches");
    private readonly FixtureModel _model = new(GraphFixtures.GapLinear);
    private readonly string _prefix = $"models-{Guid.NewGuid():N}"[..15];

    private ModelFileCache Cache(string name, long maxBytes = ModelFileCache.DefaultMaxBytes) =>
        new(_caches.Combine(name), maxBytes, new ObjectStoreFactory(DistributedServices.S3()));

    /// <summary>The fixture model under PREFIX/NAME/ of the bucket as upload-model lays it out (manifest.json + model.onnx).</summary>
    private async Task<string> UploadAsync(string name, byte[]? onnx = null)
    {
        using var store = bucket.Store($"{_prefix}/{name}");
        await store.WriteAsync("model.onnx", onnx ?? await File.ReadAllBytesAsync(Path.Combine(_model.Folder, "model.onnx")));
        await store.WriteAsync(ModelUri.DefaultManifest, await File.ReadAllBytesAsync(_model.ManifestPath));
        return $"s3://{bucket.Name}/{_prefix}/{name}/{ModelUri.DefaultManifest}";
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task The_coordinator_hashes_the_manifest_and_the_onnx_file_it_names_and_a_worker_fetches_exactly_those_bytes()
    {
        var uri = await UploadAsync("grader");
        var resolved = await new ModelResolver(Cache("coordinator")).ResolveAsync(uri, default);

        Assert.Equal(uri, resolved.Uri);
        Assert.Equal(
            [(ModelUri.DefaultManifest, Sha256(_model.ManifestPath)), ("model.onnx", Sha256(Path.Combine(_model.Folder, "model.onnx")))],
            resolved.Files.Select(f => (f.Path, f.Sha256)).ToList());
        Assert.Equal(await File.ReadAllBytesAsync(_model.ManifestPath), await File.ReadAllBytesAsync(resolved.ManifestPath));

        var worker = Cache("worker");
        var manifest = await worker.GetAsync(uri, resolved.Files);
        Assert.StartsWith(worker.Directory, manifest);
        Assert.Equal(Sha256(Path.Combine(_model.Folder, "model.onnx")), Sha256(Path.Combine(Path.GetDirectoryName(manifest)!, "model.onnx")));
        Assert.Equal(2, worker.Downloads);
    }

    [Fact]
    public async Task A_model_in_the_cache_is_reused_by_the_next_run_and_by_a_new_process_without_a_download()
    {
        var uri = await UploadAsync("reused");
        var files = (await new ModelResolver(Cache("coordinator")).ResolveAsync(uri, default)).Files;

        var first = Cache("worker");
        var path = await first.GetAsync(uri, files);
        Assert.Equal(2, first.Downloads);
        Assert.Equal(path, await first.GetAsync(uri, files)); // the next run in the same process
        Assert.Equal(2, first.Downloads);

        var restarted = Cache("worker"); // a new worker process on the same disk
        Assert.Equal(path, await restarted.GetAsync(uri, files));
        Assert.Equal(0, restarted.Downloads);

        // Concurrent batches of a model not yet on disk download it once.
        var fresh = Cache("worker-concurrent");
        var paths = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => fresh.GetAsync(uri, files))));
        Assert.Single(paths.Distinct());
        Assert.Equal(2, fresh.Downloads);

        // A copy damaged on disk is noticed by the next process and fetched again.
        await File.WriteAllBytesAsync(Path.Combine(Path.GetDirectoryName(path)!, "model.onnx"), [1, 2, 3]);
        var repaired = Cache("worker");
        Assert.Equal(path, await repaired.GetAsync(uri, files));
        Assert.Equal(2, repaired.Downloads);
        Assert.Equal(files[1].Sha256, Sha256(Path.Combine(Path.GetDirectoryName(path)!, "model.onnx")));
    }

    [Fact]
    public async Task An_onnx_file_replaced_after_the_run_was_queued_fails_naming_the_file_and_both_hashes()
    {
        var uri = await UploadAsync("replaced");
        var files = (await new ModelResolver(Cache("coordinator")).ResolveAsync(uri, default)).Files;
        var other = RandomNumberGenerator.GetBytes(1000);
        await UploadAsync("replaced", onnx: other); // someone re-uploads after the run started

        var worker = Cache("worker");
        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => worker.GetAsync(uri, files));
        Assert.Contains($"s3://{bucket.Name}/{_prefix}/replaced/model.onnx", error.Message);
        Assert.Contains(files[1].Sha256, error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(other)), error.Message);
        Assert.False(Directory.Exists(Path.Combine(worker.Directory, ModelFileCache.KeyOf(files))), "nothing cached under the run's key");
    }

    [Fact]
    public async Task A_shared_volume_model_changed_after_the_run_was_queued_is_refused_and_a_newer_run_gets_the_new_model()
    {
        var coordinator = new ModelResolver(Cache("coordinator"));
        RunSettings Queued(ResolvedModel model) => new("unused", model.Uri, "unused", ["cam"], TargetMode.Predicted, ModelFiles: model.Files);
        var first = Queued(await coordinator.ResolveAsync(_model.ManifestPath, default));
        using var models = new ModelCache(new WorkerOptions(), Cache("worker"), NullLogger<ModelCache>.Instance);
        var loaded = await models.GetAsync(first, default);

        // A new version put in its place (other bytes: here only its doc string), and a run queued with it: the worker loads it.
        var onnx = Path.Combine(_model.Folder, "model.onnx");
        var retrained = BatchXai.Onnx.Proto.ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(onnx));
        retrained.DocString = "version 2";
        await File.WriteAllBytesAsync(onnx, Google.Protobuf.MessageExtensions.ToByteArray(retrained));
        var second = Queued(await coordinator.ResolveAsync(_model.ManifestPath, default));
        Assert.NotEqual(first.ModelFiles![1].Sha256, second.ModelFiles![1].Sha256);
        var reloaded = await models.GetAsync(second, default);
        Assert.NotSame(loaded, reloaded);
        Assert.Equal(second.ModelFiles[1].Sha256, reloaded.Network.Inspected.Sha256);

        // A batch of the first run now finds other bytes than it was queued with: refused, both hashes named.
        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => models.GetAsync(first, default));
        Assert.Contains(onnx, error.Message);
        Assert.Contains(first.ModelFiles[1].Sha256, error.Message);
        Assert.Contains(Sha256(onnx), error.Message);
    }

    [Fact]
    public async Task Beyond_its_bound_the_cache_deletes_the_least_recently_used_model_not_in_use()
    {
        var oldUri = await UploadAsync("old");
        var newUri = await UploadAsync("new", onnx: [.. await File.ReadAllBytesAsync(Path.Combine(_model.Folder, "model.onnx")), 0]);
        var coordinator = new ModelResolver(Cache("coordinator"));
        var oldFiles = (await coordinator.ResolveAsync(oldUri, default)).Files;
        var newFiles = (await coordinator.ResolveAsync(newUri, default)).Files;
        var oldPath = await Cache("worker").GetAsync(oldUri, oldFiles);

        // Room for one model: a later process fetching another deletes the old one.
        var bounded = Cache("worker", maxBytes: newFiles.Sum(f => f.Length) + 1);
        var newPath = await bounded.GetAsync(newUri, newFiles);
        Assert.True(File.Exists(newPath));
        Assert.False(Directory.Exists(Path.GetDirectoryName(oldPath)), "the least recently used model is deleted");
    }

    [Fact]
    public async Task An_unknown_model_uri_is_refused_before_anything_is_queued_naming_it()
    {
        var missing = $"s3://{bucket.Name}/{_prefix}/no-such-model/{ModelUri.DefaultManifest}";
        var error = await Assert.ThrowsAsync<RunSetupException>(() => new ModelResolver(Cache("coordinator")).ResolveAsync(missing, default));
        Assert.Contains(missing, error.Message);
    }

    public void Dispose()
    {
        _model.Dispose();
        _caches.Dispose();
    }
}
