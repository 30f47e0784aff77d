using BatchXai.Contracts;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Tests.Storage;
using Npgsql;
using RabbitMQ.Client;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>
/// A distributed stack (coordinator, two workers, aggregator) on a PostgreSQL cluster, an s3rver
/// and a RabbitMQ node of its own, which the fault tests stop and start. Delayed redelivery is
/// shortened to 10, 20, 40, 80, 80, 80 s (310 s in all; the default is 1, 5, 15 min), so a
/// three-minute outage is ridden out within the test.
/// </summary>
public sealed class FaultStack : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];
    private readonly List<string> _cleanup = [];

    internal PrivatePostgres Postgres { get; private set; } = null!;
    internal PrivateRabbitMq Broker { get; private set; } = null!;
    internal PrivateS3 S3 { get; } = new();
    internal FixtureModel Model { get; } = new(GraphFixtures.GapLinear, fundusCrop: true);
    public string Prefix { get; } = $"f{Guid.NewGuid():N}"[..9] + "-";
    public string ApiKey { get; } = $"key-{Guid.NewGuid():N}";
    public CoordinatorClient Client { get; private set; } = null!;
    public static readonly string[] Methods = ["cam", "crm"];
    public const string RedeliveryIntervals = "10s,20s,40s,80s,80s,80s";
    public const int BatchSize = 16;
    internal IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgres.CreateAsync();
        await S3.StartAsync();
        Broker = await PrivateRabbitMq.CreateAsync();
        var rabbit = Rabbit;
        Environment = new Dictionary<string, string>
        {
            ["BATCHXAI_PG_CONNECTION"] = Postgres.ConnectionString,
            ["BATCHXAI_RABBITMQ_HOST"] = rabbit.Host, ["BATCHXAI_RABBITMQ_PORT"] = rabbit.Port.ToString(),
            ["BATCHXAI_RABBITMQ_USER"] = rabbit.User, ["BATCHXAI_RABBITMQ_PASSWORD"] = rabbit.Password!,
            ["BATCHXAI_RABBITMQ_PREFIX"] = Prefix,
            ["BATCHXAI_REDELIVERY_INTERVALS"] = RedeliveryIntervals,
            // The sweep finds a run stalled after 15 s without progress (default 10 min) and looks every 5 s.
            ["BATCHXAI_STALL_AFTER"] = "15s", ["BATCHXAI_SWEEP_INTERVAL"] = "5s",
            [S3Settings.EndpointVariable] = S3.Endpoint, [S3Settings.AccessKeyVariable] = "S3RVER", [S3Settings.SecretKeyVariable] = "S3RVER",
            ["BATCHXAI_RESULTS_URI"] = $"s3://{PrivateS3.Bucket}/results",
            [CoordinatorAccess.Variables.ApiKey] = ApiKey,
            ["BATCHXAI_MODELS_DIR"] = Model.Folder,
            [$"BATCHXAI_{RequestLimits.ModelsSetting}"] = Model.Folder,
            ["BATCHXAI_WORKER_THREADS"] = "1",
        };
        var coordinator = StartService("coordinator", "coordinator");
        for (int i = 1; i <= 2; i++) StartService($"worker{i}", "worker");
        _aggregator = StartService("aggregator", "aggregator");
        // Generous: on a loaded CI machine five .NET services start slowly.
        await Task.WhenAll(_services.Select(s => s.WaitHealthyAsync(TimeSpan.FromMinutes(5))));
        Client = new CoordinatorClient(new Uri($"http://127.0.0.1:{coordinator.Port}"), ApiKey);
    }

    private ServiceProcess _aggregator = null!;

    /// <summary>The broker's settings for the stack's queues.</summary>
    internal RabbitMqSettings Rabbit => Broker.Settings(Prefix);

    /// <summary>Starts a service with the stack's settings and <paramref name="extra"/> ones (e.g. a fault-test hook).</summary>
    private ServiceProcess StartService(string name, string command, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = Environment.ToDictionary();
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        int port = ServiceProcess.FreePort();
        var service = new ServiceProcess(name, port, environment, command, "--port", port.ToString());
        _services.Add(service);
        return service;
    }

    internal ServiceProcess Coordinator => _services[0];
    internal IReadOnlyList<ServiceProcess> StackWorkers => _services.Where(s => s.Name is "worker1" or "worker2").ToList();

    /// <summary>A worker beside the stack's two, for a test to kill.</summary>
    internal async Task<ServiceProcess> StartExtraWorkerAsync(string name)
    {
        var worker = StartService(name, "worker");
        await worker.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return worker;
    }

    /// <summary>A coordinator beside the stack's, with extra settings (e.g. a fault-test hook), and a client for it.</summary>
    internal async Task<(ServiceProcess Coordinator, CoordinatorClient Client)> StartExtraCoordinatorAsync(string name, IReadOnlyDictionary<string, string> extra)
    {
        var coordinator = StartService(name, "coordinator", extra);
        await coordinator.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return (coordinator, new CoordinatorClient(new Uri($"http://127.0.0.1:{coordinator.Port}"), ApiKey));
    }

    /// <summary>
    /// SIGKILLs the stack's aggregator and starts <paramref name="name"/> as the only one consuming
    /// (with extra settings, e.g. a fault-test hook); it stays the stack's aggregator.
    /// </summary>
    internal async Task<ServiceProcess> ReplaceAggregatorAsync(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        _aggregator.Kill();
        _aggregator = StartService(name, "aggregator", extra);
        await _aggregator.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return _aggregator;
    }

    /// <summary>The ids of the runs recorded over a dataset, by plain SQL.</summary>
    internal async Task<List<Guid>> RunIdsAsync(string datasetUri)
    {
        await using var connection = new NpgsqlConnection(Postgres.UnpooledConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM runs WHERE dataset_uri = @uri", connection);
        command.Parameters.AddWithValue("uri", datasetUri);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>A synthetic dataset of <paramref name="images"/> 96 px fundus photos uploaded under datasets/<paramref name="name"/>.</summary>
    public async Task<string> DatasetAsync(string name, int images, int seed)
    {
        var folder = new TempFolder($"faults-{name}");
        _cleanup.Add(folder.Path);
        SampleDatasetWriter.Write(folder.Path, images, seed, new SampleDataOptions { Size = 96 });
        using var store = new S3ObjectStore(new S3Settings { Endpoint = S3.Endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER" }, PrivateS3.Bucket, $"datasets/{name}");
        var files = Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder.Path, f).Replace('\\', '/'))
            .Where(k => !k.StartsWith("masks/", StringComparison.Ordinal));
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await store.WriteAsync(key, await File.ReadAllBytesAsync(Path.Combine(folder.Path, key), ct), ct));
        return $"s3://{PrivateS3.Bucket}/datasets/{name}";
    }

    public Task<RunView> StartRunAsync(string dataset) =>
        Client.StartRunAsync(new StartRunRequest(dataset, Model.ManifestPath, Methods, BatchSize: BatchSize));

    /// <summary>Follows a run to its end (through outages: the API answers 5xx while the database is down).</summary>
    public async Task<RunView> WaitAsync(Guid runId, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var run = await Client.RunAsync(runId);
                if (run.Status is RunStatus.Completed or RunStatus.Failed) return run;
            }
            catch (Exception e) when (e is CoordinatorApiException or HttpRequestException or TaskCanceledException) { }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"run {runId} did not finish within {limit}:\n{Logs}");
    }

    /// <summary>What the database holds for a run, counted by plain SQL: per method the rows and distinct images, the failures, the class views.</summary>
    internal async Task<RunCounts> CountAsync(Guid runId)
    {
        await using var connection = new NpgsqlConnection(Postgres.UnpooledConnectionString);
        await connection.OpenAsync();
        async Task<List<T>> Query<T>(string sql, Func<NpgsqlDataReader, T> read)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("run", runId);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync()) rows.Add(read(reader));
            return rows;
        }
        var perMethod = await Query("SELECT method, COUNT(*), COUNT(DISTINCT image_key) FROM image_results WHERE run_id = @run GROUP BY method ORDER BY method",
            r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        var failures = await Query("SELECT image_key || ': ' || error FROM image_failures WHERE run_id = @run", r => r.GetString(0));
        var classViews = (await Query("SELECT COUNT(*) FROM class_aggregates WHERE run_id = @run", r => r.GetInt64(0))).Single();
        var classViewRepeats = await Query("SELECT method || '/' || class_index || ' ' || COUNT(*) || ' rows' FROM class_aggregates WHERE run_id = @run " +
            "GROUP BY method, class_index HAVING COUNT(*) > 1", r => r.GetString(0));
        return new RunCounts(perMethod, failures, classViews, classViewRepeats);
    }

    /// <summary>Messages left in the stack's error and skipped queues (0 each when nothing was given up on).</summary>
    internal async Task<long> DeadLetteredAsync() => (await DeadLettersAsync()).Sum(q => q.Count);

    /// <summary>Each non-empty error or skipped queue of the stack with its count, and the first error messages' faults, for a failure message.</summary>
    internal async Task<string> DeadLetterReportAsync()
    {
        var lines = (await DeadLettersAsync()).Where(q => q.Count > 0).Select(q => $"{q.Queue}: {q.Count}").ToList();
        foreach (var view in await new ErrorQueueReader(Rabbit).ReadAsync(peek: 3))
            foreach (var m in view.Messages)
                lines.Add($"{view.Queue}: {m.MessageType} run {m.RunId} batch {m.BatchIndex} at {m.FaultedAt}: {m.ExceptionType}: {m.ExceptionMessage}");
        return string.Join("\n", lines);
    }

    private async Task<List<(string Queue, long Count)>> DeadLettersAsync()
    {
        var rabbit = Rabbit;
        var factory = new ConnectionFactory { HostName = rabbit.Host, Port = rabbit.Port, UserName = rabbit.User, Password = rabbit.Password! };
        await using var connection = await factory.CreateConnectionAsync();
        var counts = new List<(string, long)>();
        foreach (var error in ErrorQueueReader.ErrorQueuesOf(RabbitMqBus.EndpointNames(rabbit)))
            foreach (var queue in new[] { error, error[..^"_error".Length] + "_skipped" })
            {
                await using var channel = await connection.CreateChannelAsync();
                try { counts.Add((queue, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount)); }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
            }
        return counts;
    }

    /// <summary>Lines of every service's output that mention delayed redelivery.</summary>
    internal int RedeliveryLines => _services.Sum(s => s.Output.Split('\n').Count(l => l.Contains("redelivery ") && l.Contains(" in ")));

    /// <summary>Lines of every service's output where a worker acknowledged without work a batch of a run no longer running.</summary>
    internal int SkippedBatchLines => _services.Sum(s => s.Output.Split('\n').Count(l => l.Contains(": skipped, the run is ")));

    public string Logs => string.Join("\n", _services.Select(s => $"--- {s.Name}\n{s.Output}"));

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        foreach (var s in _services) s.Dispose();
        if (Broker is not null) await Broker.DisposeAsync();
        Model.Dispose();
        S3.Dispose();
        if (Postgres is not null) await Postgres.DisposeAsync();
        foreach (var folder in _cleanup) try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A run as stored: per method (rows, distinct images), failure lines, class-view rows, and the (method, class) pairs with more than one class-view row.</summary>
internal sealed record RunCounts(List<(string Method, long Rows, long Images)> PerMethod, List<string> Failures, long ClassViews, List<string> ClassViewRepeats)
{
    public override string ToString() =>
        $"{string.Join(", ", PerMethod.Select(m => $"{m.Method} {m.Rows} rows/{m.Images} images"))}; {Failures.Count} failed; " +
        $"{ClassViews} class-view rows, {ClassViewRepeats.Count} (method, class) repeated";
}
