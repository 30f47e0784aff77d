using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Synthetic;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// The distributed mode as users run it, on the real services: a coordinator, two worker
/// processes and an aggregator, each a separate <c>batchxai</c> process, sharing a fresh
/// PostgreSQL database, a fresh S3 bucket and a queue/exchange prefix of their own on the
/// broker. Use as a class fixture.
/// </summary>
public sealed class DistributedStack : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];

    public PostgresTestDatabase Database { get; } = new();
    public S3TestBucket Bucket { get; } = new();
    public string Prefix { get; } = $"t{Guid.NewGuid():N}"[..9] + "-";
    public RabbitMqSettings Rabbit => DistributedServices.RabbitMq(Prefix);
    internal FixtureModel Model { get; } = new(GraphFixtures.GapLinear, fundusCrop: true);
    public CoordinatorClient Client { get; private set; } = null!;

    /// <summary>Where models go by name (the coordinator's MODELS_URI): models/ of the stack's bucket.</summary>
    public string ModelsUri => $"s3://{Bucket.Name}/models";

    /// <summary>The coordinator API's key: every service of the stack gets it, as compose and k8s give it from their secret.</summary>
    public string ApiKey { get; } = $"key-{Guid.NewGuid():N}";

    /// <summary>What every service process of the stack is started with (settings, endpoints, credentials).</summary>
    internal IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();
    internal ServiceProcess Coordinator => _services[0];
    internal IReadOnlyList<ServiceProcess> Workers => _services.Where(s => s.Name.StartsWith("worker")).ToList();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await Bucket.InitializeAsync();
        var environment = new Dictionary<string, string>(DistributedServices.ServiceEnvironment(Database.ConnectionString, Prefix, Bucket.Name, ApiKey))
        {
            // Run requests may name models only here: the fixture model's folder, and the opset-9 exports the
            // refusal test names (a model the coordinator must refuse for what it is, not for where it is).
            ["BATCHXAI_MODELS_DIR"] = Model.Folder,
            // Models by name or s3:// URI: what `batchxai upload-model` put under models/ of the bucket.
            ["BATCHXAI_MODELS_URI"] = ModelsUri,
            [$"BATCHXAI_{RequestLimits.ModelsSetting}"] = $"{Model.Folder},{new Byom.ByomExports().Folder},{ModelsUri}",
            // Two CPU-bound workers on a small machine: one ONNX Runtime thread each.
            ["BATCHXAI_WORKER_THREADS"] = "1",
        };
        Environment = environment;
        int Port() => ServiceProcess.FreePort();
        int coordinatorPort = Port();
        _services.Add(new ServiceProcess("coordinator", coordinatorPort, environment, "coordinator", "--port", coordinatorPort.ToString()));
        // Workers as on a cluster node: started elsewhere, with a cache folder of their own and no models
        // folder or model settings (models given by path are still read from where the run says).
        var workerEnvironment = environment.Where(e => !e.Key.Contains("MODELS", StringComparison.Ordinal)).ToDictionary();
        for (int i = 1; i <= 2; i++)
        {
            int port = Port();
            var home = Directory.CreateTempSubdirectory($"batchxai-worker{i}-").FullName;
            _cleanup.Add(home);
            Directory.CreateDirectory(Path.Combine(home, "cwd"));
            var own = new Dictionary<string, string>(workerEnvironment) { ["BATCHXAI_CACHE_DIR"] = Path.Combine(home, "cache") };
            _services.Add(new ServiceProcess($"worker{i}", port, own, new DirectoryInfo(Path.Combine(home, "cwd")), "worker", "--port", port.ToString()));
        }
        int aggregatorPort = Port();
        _services.Add(new ServiceProcess("aggregator", aggregatorPort, environment, "aggregator", "--port", aggregatorPort.ToString()));
        // Healthy = listening with the bus connected, so every worker consumes before the first run starts.
        await Task.WhenAll(_services.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
        Client = new CoordinatorClient(new Uri($"http://127.0.0.1:{coordinatorPort}"), ApiKey);
    }

    /// <summary>Uploads the images and label file of a local dataset folder (not the lesion masks) under a prefix of the bucket.</summary>
    public async Task<string> UploadDatasetAsync(string folder, string prefix)
    {
        using var store = Bucket.Store(prefix);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(k => !k.StartsWith("masks/", StringComparison.Ordinal));
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await store.WriteAsync(key, await File.ReadAllBytesAsync(Path.Combine(folder, key), ct), ct));
        return $"s3://{Bucket.Name}/{prefix}";
    }

    private Task<(RunView Run, string DataFolder)>? _synthetic;

    /// <summary>
    /// The 200-image synthetic dataset (APTOS layout, 96 px) uploaded to the bucket and run through
    /// the stack with CRM and CAM in batches of 16, once per fixture; with the local copy of the data.
    /// </summary>
    public Task<(RunView Run, string DataFolder)> Synthetic200Async() => _synthetic ??= RunSynthetic200Async();

    public const int SyntheticImages = 200;
    public static readonly string[] SyntheticMethods = ["crm", "cam"];

    private async Task<(RunView, string)> RunSynthetic200Async()
    {
        var data = Directory.CreateTempSubdirectory("batchxai-dist-data-").FullName;
        _cleanup.Add(data);
        SampleDatasetWriter.Write(data, SyntheticImages, seed: 31, new SampleDataOptions { Size = 96 });
        var uri = await UploadDatasetAsync(data, "datasets/synth");
        var started = await Client.StartRunAsync(new StartRunRequest(uri, Model.ManifestPath, SyntheticMethods, BatchSize: 16));
        return (await WaitAsync(started.Id), data);
    }

    /// <summary>Rows and distinct images per method of a run, in method order.</summary>
    public async Task<List<(string Method, long Rows, long Images)>> RowsPerMethodAsync(Guid runId) =>
        await Database.QueryAsync("SELECT method, COUNT(*), COUNT(DISTINCT image_key) FROM image_results WHERE run_id = @run GROUP BY method ORDER BY method",
            r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)), ("run", runId));

    /// <summary>What <see cref="RowsPerMethodAsync"/> holds when every image was explained exactly once by each of <see cref="SyntheticMethods"/>.</summary>
    public static List<(string Method, long Rows, long Images)> ExactlyOncePerMethod(int images) =>
        SyntheticMethods.Order(StringComparer.Ordinal).Select(m => (m, (long)images, (long)images)).ToList();

    /// <summary>Follows a run to its end; the limit only keeps a broken stack from hanging the suite.</summary>
    public async Task<RunView> WaitAsync(Guid runId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try { return await Client.WaitAsync(runId, ct: limit.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"run {runId} did not finish:\n{Logs}"); }
    }

    private readonly List<string> _cleanup = [];

    /// <summary>Everything the services printed, for failure messages.</summary>
    public string Logs => string.Join("\n", _services.Select(s => $"--- {s.Name}\n{s.Output}"));

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        foreach (var s in _services) s.Dispose();
        await BrokerQueues.DeleteAsync(Rabbit, RabbitMqSettings.DefaultRedeliveryIntervals);
        Model.Dispose();
        foreach (var folder in _cleanup) try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        await Bucket.DisposeAsync();
        await Database.DisposeAsync();
    }
}
