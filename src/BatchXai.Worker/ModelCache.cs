using System.Collections.Concurrent;
using BatchXai.Contracts;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Models;
using Microsoft.Extensions.Logging;

namespace BatchXai.Worker;

/// <summary>
/// Models a worker has loaded, by manifest path: loading (graph edits, sessions, head probing)
/// happens once per model per process, however many batches use it. A run's model in an object
/// store is fetched into the <see cref="ModelFileCache"/> first; every model is checked against
/// the SHA-256s the run was queued with.
/// </summary>
public sealed class ModelCache(WorkerOptions options, ModelFileCache files, ILogger<ModelCache> log) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Entry>> _models = new(StringComparer.Ordinal);

    /// <summary>A loaded model and the SHA-256 of each file it was loaded from, by full path.</summary>
    private sealed record Entry(LoadedModel Model, IReadOnlyDictionary<string, string> Hashes);

    public LoadedModel Get(string manifestPath) => GetEntry(Path.GetFullPath(manifestPath)).Model;

    /// <summary>
    /// The run's model: fetched from the store when the run names it by s3:// URI, read in place when
    /// by path; refused (<see cref="ModelIntegrityException"/>) when its files are not the bytes the run was queued with.
    /// </summary>
    public async Task<LoadedModel> GetAsync(RunSettings settings, CancellationToken ct)
    {
        if (settings.ModelFiles is not { Count: > 0 } expected) return Get(settings.ModelManifestUri); // queued before runs carried hashes
        var path = Path.GetFullPath(ModelUri.IsRemote(settings.ModelManifestUri)
            ? await FetchAsync(settings.ModelManifestUri, expected, ct)
            : settings.ModelManifestUri);
        var entry = GetEntry(path);
        if (Mismatch(path, entry.Hashes, expected) is null) return entry.Model;
        // The loaded model is not the run's: either the files changed since the run was queued (refuse), or
        // they changed on a shared volume since this process loaded them and are the run's now (load again).
        var onDisk = expected.Select(f => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, f.Path)))
            .ToDictionary(f => f, f => File.Exists(f) ? ModelFileCache.Sha256OfFile(f) : "(missing)", StringComparer.Ordinal);
        if (Mismatch(path, onDisk, expected) is { } wrong) throw ModelIntegrityException.Mismatch(wrong.File, wrong.Expected, wrong.Actual);
        Evict(path);
        entry = GetEntry(path);
        if (Mismatch(path, entry.Hashes, expected) is { } changed) throw ModelIntegrityException.Mismatch(changed.File, changed.Expected, changed.Actual);
        return entry.Model;
    }

    private async Task<string> FetchAsync(string uri, IReadOnlyList<ModelFile> expected, CancellationToken ct)
    {
        long before = files.Downloads;
        var path = await files.GetAsync(uri, expected, ct);
        if (files.Downloads > before)
            log.LogInformation("model {Uri} fetched into {Folder} ({Bytes} bytes, SHA-256 checked)", uri, Path.GetDirectoryName(path), expected.Sum(f => f.Length));
        return path;
    }

    private static (string File, string Expected, string Actual)? Mismatch(string manifestPath, IReadOnlyDictionary<string, string> hashes, IReadOnlyList<ModelFile> expected)
    {
        var folder = Path.GetDirectoryName(manifestPath)!;
        foreach (var file in expected)
        {
            var full = Path.GetFullPath(Path.Combine(folder, file.Path));
            var actual = hashes.TryGetValue(full, out var sha) ? sha : "(not a file of the loaded model)";
            if (actual != file.Sha256) return (full, file.Sha256, actual);
        }
        return null;
    }

    private Entry GetEntry(string fullPath)
    {
        var lazy = _models.GetOrAdd(fullPath, path => new Lazy<Entry>(() => Load(path)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Don't cache a failure: a fixed file or a recovered GPU should load on the next try.
            _models.TryRemove(new KeyValuePair<string, Lazy<Entry>>(fullPath, lazy));
            throw;
        }
    }

    private void Evict(string fullPath)
    {
        // Batches still explaining with the old model keep it; it is disposed with the cache.
        if (_models.TryRemove(fullPath, out var old) && old.IsValueCreated) _replaced.Add(old.Value.Model);
    }

    private readonly ConcurrentBag<LoadedModel> _replaced = [];

    private Entry Load(string manifestPath)
    {
        var session = options.Session with { Log = line => log.LogWarning("{Line}", line) };
        var network = ExplainableModel.Load(manifestPath, session, options.MaxInferenceBatch); // a missing or bad manifest fails here, named
        var manifestSha = ModelFileCache.Sha256OfFile(manifestPath);
        log.LogInformation("model {Name} ({Sha}) loaded on {Provider}{Fallback}; target layer {K}x{U}x{V}, head {Head}",
            network.Manifest.Name, network.Inspected.Sha256[..12], network.ExecutionProviderInUse,
            network.FallbackReason is null ? "" : $" (fallback: {network.FallbackReason})",
            network.FeatureShape.K, network.FeatureShape.U, network.FeatureShape.V, network.Head.Kind);
        foreach (var note in network.Inspected.Notes) log.LogInformation("model {Name}: {Note}", network.Manifest.Name, note);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Path.GetFullPath(manifestPath)] = manifestSha,
            [Path.GetFullPath(network.Manifest.OnnxPath)] = network.Inspected.Sha256,
        };
        return new Entry(new LoadedModel(network, options), hashes);
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values.Where(l => l.IsValueCreated)) lazy.Value.Model.Dispose();
        foreach (var model in _replaced) model.Dispose();
        _models.Clear();
    }
}
