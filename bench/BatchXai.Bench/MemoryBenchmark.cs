using System.CommandLine;
using System.Diagnostics;
using System.Text;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Worker;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchXai.Bench;

/// <summary>
/// Memory over a long run (issue 17, item 5): many small synthetic images (a pool of distinct
/// 160 px fundus photos copied under new names) through the embedded pipeline (the worker's
/// BatchExplainer in this process, memory folder, SQLite) and through one distributed worker (with
/// the coordinator, hosted in this process as the end-to-end benchmark does, on RabbitMQ +
/// s3rver + PostgreSQL), sampling this process's resident memory every --every images. Prints both tables and the
/// last/first ratio (goal ≤ 1.10). Needs infra/services.sh running for the distributed half.
/// </summary>
public static class MemoryBenchmark
{
    private const int BatchSize = 32;
    private const int PoolSize = 200;
    private static readonly string[] Methods = ["crm", "cam"];

    public static Command Command()
    {
        var images = new Option<int>("--images") { Description = "Images in the long run", DefaultValueFactory = _ => 10_000 };
        var every = new Option<int>("--every") { Description = "Sample resident memory every this many images", DefaultValueFactory = _ => 1_000 };
        var skipDistributed = new Option<bool>("--embedded-only") { Description = "Measure the embedded pipeline only (no services needed)" };
        var command = new Command("memory", "Resident memory of the embedded pipeline and of one distributed worker over a long run") { images, every, skipDistributed };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(images), parse.GetValue(every), parse.GetValue(skipDistributed), ct));
        return command;
    }

    private static async Task<int> RunAsync(int count, int every, bool embeddedOnly, CancellationToken ct)
    {
        EndToEndBenchmark.DevDefaults();
        var id = $"mem{Guid.NewGuid():N}"[..13];
        var manifest = Path.Combine(EndToEndBenchmark.RepoRoot(), "models", "dr_grader.json");
        var local = Path.Combine("/dev/shm", $"batchxai-{id}");
        var data = Path.Combine(local, "data");
        try
        {
            var watch = Stopwatch.StartNew();
            WriteDataset(data, count);
            Console.WriteLine($"memory: {count} images of 160 px ({PoolSize} distinct), dr_grader crm+cam, batch {BatchSize}; dataset written in {watch.Elapsed.TotalSeconds:F0} s, load {LoadAverage()}");
            Print("embedded pipeline (this process)", await EmbeddedAsync(local, manifest, every, ct));
            if (!embeddedOnly) Print("coordinator + one distributed worker (this process)", await DistributedAsync(id, data, manifest, count, every, ct));
            return 0;
        }
        finally
        {
            Directory.Delete(local, recursive: true);
            // Not deleted through S3 here: s3rver deletes about one object a second from a folder of 20,000
            // (30,000 objects: hours). make bench removes s3rver's folder of the run instead.
            if (!embeddedOnly) Console.Error.WriteLine($"bench: the distributed run's objects stay under s3://batchxai/{id}/");
        }
    }

    /// <summary>A pool of distinct images copied under <paramref name="count"/> names, with their labels.</summary>
    private static void WriteDataset(string data, int count)
    {
        var pool = Path.Combine(Path.GetDirectoryName(data)!, "pool");
        SampleDatasetWriter.Write(pool, Math.Min(PoolSize, count), seed: 9, new SampleDataOptions { Size = 160 });
        var labels = File.ReadAllLines(Path.Combine(pool, SampleDatasetWriter.LabelsFile)).Skip(1).Select(l => l.Split(',')).ToArray();
        Directory.CreateDirectory(Path.Combine(data, SampleDatasetWriter.ImagesFolder));
        var csv = new StringBuilder(SampleDatasetWriter.LabelsHeader).Append('\n');
        for (int i = 0; i < count; i++)
        {
            var (source, grade) = (labels[i % labels.Length][0], labels[i % labels.Length][1]);
            var name = $"img{i:D6}";
            // Copies, not links: the local object store does not follow symbolic links out of its folder.
            File.Copy(Path.Combine(pool, SampleDatasetWriter.ImagesFolder, source + ".png"), Path.Combine(data, SampleDatasetWriter.ImagesFolder, name + ".png"));
            csv.Append(name).Append(',').Append(grade).Append('\n');
        }
        File.WriteAllText(Path.Combine(data, SampleDatasetWriter.LabelsFile), csv.ToString());
    }

    /// <summary>
    /// One reading: resident memory as the process stands, the GC's committed bytes (what of RSS the
    /// managed heap holds), then live managed bytes and RSS again after a full blocking collection —
    /// a leak survives the collection, garbage not yet collected and heap slack do not.
    /// </summary>
    private sealed record Sample(int Images, double Seconds, long RssBytes, long CommittedBytes, long LiveBytes, long RssAfterGcBytes)
    {
        public static Sample Take(int images, double seconds)
        {
            long rss = Environment.WorkingSet, committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            long live = GC.GetTotalMemory(forceFullCollection: true);
            return new Sample(images, seconds, rss, committed, live, Environment.WorkingSet);
        }
    }

    private static async Task<List<Sample>> EmbeddedAsync(string local, string manifest, int every, CancellationToken ct)
    {
        using var worker = await BenchSetup.EmbeddedAsync(Path.Combine(local, "data"), Path.Combine(local, "results"), manifest, new WorkerOptions(), Methods, BatchSize, ct);
        var samples = new List<Sample>();
        var watch = Stopwatch.StartNew();
        int done = 0, failed = 0;
        foreach (var batch in worker.Batches)
        {
            var outcome = await worker.Explainer.ExplainAsync(batch, ct);
            failed += outcome.Failed;
            int before = done;
            done += batch.Images.Count;
            if (done / every > before / every)
                samples.Add(Sample.Take(done, watch.Elapsed.TotalSeconds));
        }
        if (failed > 0) Console.WriteLine($"memory: embedded: {failed} of {done} images failed");
        return samples;
    }

    private static async Task<List<Sample>> DistributedAsync(string id, string data, string manifest, int count, int every, CancellationToken ct)
    {
        var s3Data = $"s3://batchxai/{id}/data";
        var upload = Stopwatch.StartNew();
        await BenchSetup.UploadAsync(data, s3Data, parallelism: 16, ct);
        Console.WriteLine($"memory: {count + 1} objects put to s3rver in {upload.Elapsed.TotalSeconds:F1} s ({(count + 1) / upload.Elapsed.TotalSeconds:F0} PUT/s, 16 at a time)");

        var (config, database) = await BenchSetup.DistributedAsync(id);
        try
        {
            await using var coordinator = await CoordinatorService.BuildAsync(config, ct);
            await using var worker = await WorkerService.BuildAsync(config, ct);
            await coordinator.StartAsync(ct);
            await worker.StartAsync(ct);
            var runs = coordinator.Services.GetRequiredService<RunCoordinator>();
            var results = coordinator.Services.GetRequiredService<ResultStore>();
            var run = await runs.StartAsync(new RunRequest(s3Data, manifest, Methods, config["RESULTS_URI"]!, BatchSize: BatchSize), ct);
            var samples = new List<Sample>();
            var watch = Stopwatch.StartNew();
            int next = every;
            while (true)
            {
                var row = await results.FindRunAsync(run.Id, ct);
                int accounted = row is null ? 0 : row.Explained + row.Failed;
                if (accounted >= next || row is not { Status: RunStatus.Running })
                {
                    samples.Add(Sample.Take(accounted, watch.Elapsed.TotalSeconds));
                    while (next <= accounted) next += every;
                }
                if (row is not { Status: RunStatus.Running }) break;
                await Task.Delay(100, ct);
            }
            if (await results.FindRunAsync(run.Id, ct) is { Failed: > 0 } final) Console.WriteLine($"memory: distributed: {final.Failed} of {count} images failed");
            await worker.StopAsync(CancellationToken.None);
            await coordinator.StopAsync(CancellationToken.None);
            return samples;
        }
        finally
        {
            await BenchSetup.DropAsync(database);
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static void Print(string title, List<Sample> samples)
    {
        static string MiB(long bytes) => $"{bytes / 1048576.0:F1}";
        Console.WriteLine($"{title}:");
        Console.WriteLine($"{"images",8} {"seconds",9} {"images/s",9} {"RSS MiB",9} {"GC committed",13} {"live managed",13} {"RSS after GC",13}");
        foreach (var s in samples)
            Console.WriteLine($"{s.Images,8} {s.Seconds,9:F1} {s.Images / Math.Max(1e-9, s.Seconds),9:F1} {MiB(s.RssBytes),9} {MiB(s.CommittedBytes),13} {MiB(s.LiveBytes),13} {MiB(s.RssAfterGcBytes),13}");
        if (samples.Count < 2 || samples[0].RssBytes <= 0) return;
        Console.WriteLine($"{title}: RSS at {samples[^1].Images} / at {samples[0].Images} images = {(double)samples[^1].RssBytes / samples[0].RssBytes:F3}, " +
            $"after a full collection {(double)samples[^1].RssAfterGcBytes / samples[0].RssAfterGcBytes:F3}, live managed {(double)samples[^1].LiveBytes / samples[0].LiveBytes:F3} (goal <= 1.10)");
    }
}
