using System.Collections.Concurrent;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Reading;

/// <summary>
/// The object stores the dashboard reads: each run's results store (or the one the options name
/// instead, for a dashboard on another host than the workers) and each run's dataset. Opened once
/// per URI and disposed with the app: an S3 store holds a client.
/// </summary>
public sealed class RunStores(string? resultsOverride, IObjectStoreFactory stores) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IObjectStore>> _open = new(StringComparer.Ordinal);

    public IObjectStore Results(RunRow run) => Open(resultsOverride ?? run.ResultsUri);

    public IObjectStore Dataset(RunRow run) => Open(run.DatasetUri);

    private IObjectStore Open(string uri) => _open.GetOrAdd(uri, u => new Lazy<IObjectStore>(() => stores.Open(u))).Value;

    public void Dispose()
    {
        foreach (var store in _open.Values.Where(l => l.IsValueCreated)) store.Value.Dispose();
        _open.Clear();
    }
}
