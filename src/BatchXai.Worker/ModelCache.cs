using System.Collections.Concurrent;
using BatchXai.Onnx.Model;
using Microsoft.Extensions.Logging;

namespace BatchXai.Worker;

/// <summary>
/// Models a worker has loaded, by manifest path: loading (graph edits, sessions, head probing)
/// happens once per model per process, however many batches use it.
/// </summary>
public sealed class ModelCache(WorkerOptions options, ILogger<ModelCache> log) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _models = new(StringComparer.Ordinal);

    public LoadedModel Get(string manifestPath)
    {
        var lazy = _models.GetOrAdd(Path.GetFullPath(manifestPath), path => new Lazy<LoadedModel>(() => Load(path)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Don't cache a failure: a fixed file or a recovered GPU should load on the next try.
            _models.TryRemove(new KeyValuePair<string, Lazy<LoadedModel>>(Path.GetFullPath(manifestPath), lazy));
            throw;
        }
    }

    private LoadedModel Load(string manifestPath)
    {
        var session = options.Session with { Log = line => log.LogWarning("{Line}", line) };
        var network = ExplainableModel.Load(manifestPath, session, options.MaxInferenceBatch);
        log.LogInformation("model {Name} ({Sha}) loaded on {Provider}{Fallback}; target layer {K}x{U}x{V}, head {Head}",
            network.Manifest.Name, network.Inspected.Sha256[..12], network.ExecutionProviderInUse,
            network.FallbackReason is null ? "" : $" (fallback: {network.FallbackReason})",
            network.FeatureShape.K, network.FeatureShape.U, network.FeatureShape.V, network.Head.Kind);
        foreach (var note in network.Inspected.Notes) log.LogInformation("model {Name}: {Note}", network.Manifest.Name, note);
        return new LoadedModel(network, options);
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values.Where(l => l.IsValueCreated)) lazy.Value.Dispose();
        _models.Clear();
    }
}
