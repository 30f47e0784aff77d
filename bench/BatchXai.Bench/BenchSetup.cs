using BatchXai.Contracts;
using BatchXai.Distributed.Configuration;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchXai.Bench;

/// <summary>What the end-to-end and memory benchmarks both set up: the worker's explainer in-process, a dataset on s3rver, a distributed stack's settings.</summary>
internal static class BenchSetup
{
    /// <summary>The worker's BatchExplainer on a local dataset (SQLite results in <paramref name="results"/>) and the batches of one new run.</summary>
    internal sealed class EmbeddedWorker(ModelCache models, BatchExplainer explainer, List<ExplainBatch> batches) : IDisposable
    {
        public BatchExplainer Explainer => explainer;
        public List<ExplainBatch> Batches => batches;
        public int Images => batches.Sum(b => b.Images.Count);
        public void Dispose() => models.Dispose();
    }

    public static async Task<EmbeddedWorker> EmbeddedAsync(string data, string results, string manifest, WorkerOptions options, string[] methods, int batchSize,
        CancellationToken ct)
    {
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(results, "bench.db"), ct));
        var models = new ModelCache(options, WorkerRegistration.FetchedModels(), NullLogger<ModelCache>.Instance);
        try
        {
            var explainer = new BatchExplainer(models, store, options, NullLogger<BatchExplainer>.Instance, ObjectStoreFactory.FromEnvironment);
            using var dataset = ObjectStoreFactory.FromEnvironment.Open(data);
            var listing = await new Coordinator.Datasets.DatasetEnumerator(dataset, models.Get(manifest).Network.Manifest.Classes).EnumerateAsync(ct);
            var runId = Guid.NewGuid();
            await store.CreateRunAsync(new RunRow { Id = runId, Status = RunStatus.Running, Methods = string.Join(',', methods), Expected = listing.Images.Count }, ct);
            var settings = new RunSettings(data, manifest, results, methods, TargetMode.Predicted);
            var batches = listing.Images.Chunk(batchSize).Select((images, i) => new ExplainBatch(runId, i, settings, images)).ToList();
            return new EmbeddedWorker(models, explainer, batches);
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    /// <summary>Every file under <paramref name="folder"/> put to the object store at <paramref name="uri"/>, <paramref name="parallelism"/> at once.</summary>
    public static async Task UploadAsync(string folder, string uri, int parallelism, CancellationToken ct)
    {
        using var store = ObjectStoreFactory.FromEnvironment.Open(uri);
        await Parallel.ForEachAsync(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (file, token) => await store.WriteAsync(Path.GetRelativePath(folder, file), await File.ReadAllBytesAsync(file, token), token));
    }

    /// <summary>A fresh PostgreSQL database and the settings of a stack of its own (queue prefix, results prefix, free ports); drop it with <see cref="DropAsync"/>.</summary>
    public static async Task<(IConfiguration Config, string Database)> DistributedAsync(string id, int? concurrency = null)
    {
        var database = $"batchxai_{id}";
        await AdminAsync($"CREATE DATABASE {database}");
        var overrides = new Dictionary<string, string?>
        {
            ["PG_DATABASE"] = database, ["RABBITMQ_PREFIX"] = id + "-", ["RESULTS_URI"] = $"s3://batchxai/{id}/results",
            ["COORDINATOR_PORT"] = "0", ["WORKER_PORT"] = "0",
        };
        if (concurrency is int c) overrides["WORKER_CONCURRENCY"] = c.ToString();
        return (ServiceConfiguration.Build(overrides: overrides), database);
    }

    /// <summary>
    /// Deletes a benchmark's objects (<c>s3://batchxai/&lt;id&gt;/</c>: its dataset and results): a full make bench
    /// otherwise leaves about 10 GB in s3rver's folder each run.
    /// </summary>
    public static async Task DeleteObjectsAsync(string id)
    {
        using var store = ObjectStoreFactory.FromEnvironment.Open($"s3://batchxai/{id}");
        if (store is S3ObjectStore s3) Console.Error.WriteLine($"bench: deleted {await s3.DeleteUnderAsync("")} objects under s3://batchxai/{id}/");
    }

    public static async Task DropAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    private static async Task AdminAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresSettings.From(ServiceConfiguration.Build()).ConnectionString) { Database = "batchxai" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }
}
