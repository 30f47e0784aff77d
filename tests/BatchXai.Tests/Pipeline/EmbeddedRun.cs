using BatchXai.Cli;
using BatchXai.Coordinator;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Tests.Pipeline;

/// <summary>An embedded host (SQLite, local folder) under a test's folder that has run one synthetic dataset to its end.</summary>
internal sealed class EmbeddedRun(IHost host, ResultStore store, RunRow run, string output) : IDisposable
{
    public IHost Host => host;
    public ResultStore Store => store;
    public RunRow Run => run;
    public string Output => output;

    /// <summary>Writes <paramref name="images"/> synthetic 96-px images under <paramref name="root"/>/data and runs them to the end.</summary>
    public static async Task<EmbeddedRun> CompleteAsync(string root, int images, int seed, string manifest, string[] methods, int batchSize)
    {
        var data = Path.Combine(root, "data");
        var output = Path.Combine(root, "out");
        SampleDatasetWriter.Write(data, images, seed, new SampleDataOptions { Size = 96 });
        var host = await EmbeddedHost.StartAsync(Path.Combine(output, "batchxai.db"), new WorkerOptions(), LogLevel.Warning, CancellationToken.None);
        try
        {
            var store = host.Services.GetRequiredService<ResultStore>();
            var started = await host.Services.GetRequiredService<RunCoordinator>().StartAsync(new RunRequest(data, manifest, methods, output, BatchSize: batchSize));
            return new EmbeddedRun(host, store, await EmbeddedRunner.Quietly(store, started), output);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public T Get<T>() where T : notnull => host.Services.GetRequiredService<T>();

    public async Task StopAsync() => await host.StopAsync();

    public void Dispose() => host.Dispose();
}
