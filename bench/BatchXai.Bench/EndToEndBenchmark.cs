using System.CommandLine;
using System.Diagnostics;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Worker;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchXai.Bench;

/// <summary>
/// End-to-end images/s of the distributed mode with one worker (coordinator → RabbitMQ → worker
/// reading images from S3 and writing maps to S3 and rows to PostgreSQL, until every image is
/// accounted for) beside the same worker code explaining the same batches in-process (dataset and
/// results in a memory-backed folder, SQLite), in the same run. The ratio is the share of the
/// worker's own rate the pipeline keeps (goal ≥ 0.90). Needs infra/services.sh running.
/// </summary>
public static class EndToEndBenchmark
{
    private const int BatchSize = 32;
    private static readonly string[] Methods = ["crm", "cam"];

    public static Command Command()
    {
        var images = new Option<int>("--images") { Description = "Images in the dataset", DefaultValueFactory = _ => 256 };
        var concurrency = new Option<int>("--concurrency") { Description = "Batches the one worker explains at once (WORKER_CONCURRENCY)", DefaultValueFactory = _ => 1 };
        var command = new Command("end-to-end", "Distributed mode (bus + S3 + PostgreSQL, one worker) against the worker in-process") { images, concurrency };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(images), parse.GetValue(concurrency), ct));
        return command;
    }

    private static async Task<int> RunAsync(int count, int concurrency, CancellationToken ct)
    {
        DevDefaults();
        var id = $"bench{Guid.NewGuid():N}"[..13];
        var manifest = Path.Combine(RepoRoot(), "models", "dr_grader.json");
        var local = Path.Combine("/dev/shm", $"batchxai-{id}");
        SampleDatasetWriter.Write(Path.Combine(local, "data"), count, seed: 5, new SampleDataOptions());
        Directory.Delete(Path.Combine(local, "data", SampleDatasetWriter.MasksFolder), recursive: true);
        var s3Data = $"s3://batchxai/{id}/data";
        await BenchSetup.UploadAsync(Path.Combine(local, "data"), s3Data, parallelism: 16, ct);
        var (config, database) = await BenchSetup.DistributedAsync(id, concurrency);
        try
        {
            var workerOptions = WorkerSettings.From(config).Options;
            var (inProcess, inProcessProfile) = await InProcessAsync(local, manifest, workerOptions, ct);
            var (endToEnd, endToEndProfile) = await EndToEndAsync(config, s3Data, manifest, count, ct);
            var (inProcessAgain, _) = await InProcessAsync(local, manifest, workerOptions, ct);
            var (putsPerImage, putRate) = await PutRateAsync(local, $"s3://batchxai/{id}/put-rate", workerOptions.OutputParallelism, ct);
            double best = Math.Max(inProcess, inProcessAgain); // the distributed side too keeps the faster of two runs
            Console.WriteLine($"end to end, dr_grader crm+cam, {count} images of {SampleDataOptions.ReferenceSize} px, batch {BatchSize}, one worker (concurrency {concurrency}), load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}:");
            Console.WriteLine($"{"worker in-process (memory folder, SQLite)",-48} {best,10:F1} images/s");
            Console.WriteLine($"{"distributed (RabbitMQ + s3rver + PostgreSQL)",-48} {endToEnd,10:F1} images/s {endToEnd / best,8:F3} of in-process");
            Console.WriteLine($"{"s3rver alone: the worker's PUTs of one image",-48} {putRate / putsPerImage,10:F1} images/s {putRate / putsPerImage / best,8:F3} of in-process " +
                $"({putsPerImage} PUTs/image, {putRate:F0} PUT/s at {workerOptions.OutputParallelism} at once: the store's ceiling on cores of its own)");
            // s3rver, PostgreSQL and RabbitMQ run on the worker's cores here: what they burn per image
            // (less what other users of the shared services burnt meanwhile, as measured during the
            // in-process phase) is taken from the worker, which on a quiet machine keeps every core busy.
            double services = endToEndProfile.Services(background: inProcessProfile.ServicesPerSecond);
            double ceiling = inProcessProfile.Own / (inProcessProfile.Own + services);
            Console.WriteLine($"{"the services on the worker's cores: ceiling",-48} {ceiling * best,10:F1} images/s {ceiling,8:F3} of in-process " +
                $"(in-process {inProcessProfile.Own:F1} ms CPU/image; s3rver + PostgreSQL + RabbitMQ {services:F1} ms CPU/image in the distributed run)");
            Console.WriteLine("where the time went:");
            Console.WriteLine(inProcessProfile);
            Console.WriteLine(endToEndProfile);
            return 0;
        }
        finally
        {
            await BenchSetup.DropAsync(database);
            Directory.Delete(local, recursive: true);
            await BenchSetup.DeleteObjectsAsync(id);
        }
    }

    /// <summary>
    /// s3rver's own PUT rate for what a worker writes per image: the objects one in-process run
    /// left in its results folder (the .npy maps and .png overlays of every method), put again
    /// with the worker's output parallelism and nothing else running. Returns PUTs per image and PUTs/s.
    /// </summary>
    private static async Task<(double PutsPerImage, double PutsPerSecond)> PutRateAsync(string local, string prefix, int parallelism, CancellationToken ct)
    {
        var results = Directory.GetDirectories(local, "results-*").First();
        var files = Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".npy") || f.EndsWith(".png")).ToList();
        int images = files.Where(f => f.EndsWith(".png")).Select(f => Path.GetFileName(f)).Distinct().Count();
        var payloads = files.Select(f => (Key: Path.GetRelativePath(results, f), Bytes: File.ReadAllBytes(f))).ToList();
        using var store = ObjectStoreFactory.FromEnvironment.Open(prefix);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(payloads, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (p, token) => await store.WriteAsync(p.Key, p.Bytes, token));
        return ((double)payloads.Count / Math.Max(1, images), payloads.Count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>The worker's BatchExplainer over the same batches, one after another, as a worker with concurrency 1 takes them.</summary>
    private static async Task<(double Rate, PhaseProfile.PhaseReport Profile)> InProcessAsync(string local, string manifest, WorkerOptions options, CancellationToken ct)
    {
        using var worker = await BenchSetup.EmbeddedAsync(Path.Combine(local, "data"), Path.Combine(local, $"results-{Guid.NewGuid():N}"), manifest, options, Methods, BatchSize, ct);
        var (explainer, batches) = (worker.Explainer, worker.Batches);
        await explainer.ExplainAsync(batches[0], ct); // model load and warm-up, as a running worker has had
        using var profile = PhaseProfile.Start();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches) await explainer.ExplainAsync(batch, ct);
        return (worker.Images / watch.Elapsed.TotalSeconds, profile.Report("in-process", worker.Images));
    }

    /// <summary>Coordinator and one worker (hosts of their own in this process) on the real services: run start to every image accounted for.</summary>
    private static async Task<(double Rate, PhaseProfile.PhaseReport Profile)> EndToEndAsync(Microsoft.Extensions.Configuration.IConfiguration config, string dataset, string manifest, int count, CancellationToken ct)
    {
        await using var coordinator = await CoordinatorService.BuildAsync(config, ct);
        await using var worker = await WorkerService.BuildAsync(config, ct);
        await coordinator.StartAsync(ct);
        await worker.StartAsync(ct);
        try
        {
            // Warm the worker (model load) with a small run first, as a running worker would be.
            var runs = coordinator.Services.GetRequiredService<RunCoordinator>();
            var results = coordinator.Services.GetRequiredService<ResultStore>();
            var warm = await runs.StartAsync(new RunRequest(dataset, manifest, Methods, config["RESULTS_URI"]!, BatchSize: BatchSize), ct);
            await WaitAccountedForAsync(results, warm.Id, ct);

            // Two runs, the faster kept, as the in-process side keeps the faster of its two.
            (double Rate, PhaseProfile.PhaseReport Profile) best = (0, null!);
            for (int round = 0; round < 2; round++)
            {
                using var profile = PhaseProfile.Start();
                var watch = Stopwatch.StartNew();
                var run = await runs.StartAsync(new RunRequest(dataset, manifest, Methods, config["RESULTS_URI"]!, BatchSize: BatchSize), ct);
                await WaitAccountedForAsync(results, run.Id, ct);
                double rate = count / watch.Elapsed.TotalSeconds;
                if (rate > best.Rate) best = (rate, profile.Report("distributed", count));
            }
            return best;
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
            await coordinator.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitAccountedForAsync(ResultStore results, Guid runId, CancellationToken ct)
    {
        while (await results.FindRunAsync(runId, ct) is { Status: RunStatus.Running }) await Task.Delay(50, ct);
    }

    /// <summary>The dev settings of infra/services.sh for whatever the environment does not set.</summary>
    internal static void DevDefaults()
    {
        foreach (var (key, value) in new[]
        {
            ("BATCHXAI_PG_PASSWORD", "batchxai-dev"), ("BATCHXAI_RABBITMQ_USER", "batchxai"), ("BATCHXAI_RABBITMQ_PASSWORD", "batchxai-dev"),
            (S3Settings.EndpointVariable, "http://127.0.0.1:4569"), (S3Settings.AccessKeyVariable, "S3RVER"), (S3Settings.SecretKeyVariable, "S3RVER"),
        })
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key))) Environment.SetEnvironmentVariable(key, value);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BatchXai.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
