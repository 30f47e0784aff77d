using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using BatchXai.Aggregator;
using BatchXai.Aggregator.Audit;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Bench;

/// <summary>
/// The aggregator's reading of stored maps on the S3 server (issue 17): a run of N images with a
/// plain method (crm) and CLEAR (map + dominant-class map) stored on s3rver, aggregated (class
/// views, CLEAR dominance, artefact audit) three ways in one session: as before — each builder its
/// own pass, one read at a time (each crm map read twice, each CLEAR map three times); one pass with
/// one read at a time; one pass with <see cref="RunMapPass.DefaultConcurrentReads"/> reads in
/// flight; and that pass with the crm maps rebuilt from the grids their rows hold (the default).
/// Needs infra/services.sh running (s3rver). The rows are in SQLite: reading maps is what is timed.
/// </summary>
public static class AggregationBenchmark
{
    private const int Side = 160;
    private static readonly string[] ClassNames = ["none", "mild", "moderate", "severe", "proliferative"];

    public static Command Command()
    {
        var images = new Option<int>("--images") { Description = "Images in the run", DefaultValueFactory = _ => 2000 };
        var command = new Command("aggregate", "Aggregating stored maps on the S3 server: three passes one read at a time (before) against one concurrent pass") { images };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(images), ct));
        return command;
    }

    private static async Task<int> RunAsync(int count, CancellationToken ct)
    {
        EndToEndBenchmark.DevDefaults();
        var id = $"agg{Guid.NewGuid():N}"[..13];
        var local = Directory.CreateTempSubdirectory("batchxai-aggregate-").FullName;
        try
        {
            var results = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(local, "bench.db"), ct));
            var run = await StoredRunAsync(results, $"s3://batchxai/{id}/results", count, ct);
            const ClassSelection selection = ClassSelection.Correct;
            IMapAccumulator[] Accumulators() =>
            [
                new ClassViewBuilder(results, selection).Start(run),
                new ClassDominanceBuilder(results, selection).Start(run),
                new ArtefactAuditor(results, selection: selection).StartAsync(run, spray: null, ct).GetAwaiter().GetResult(),
            ];
            var sequential = new RunMapPass(results, selection, concurrentReads: 1, rebuildFromRows: false);
            var concurrent = new RunMapPass(results, selection, rebuildFromRows: false);
            var rebuilding = new RunMapPass(results, selection);
            var beforeTime = await TimeAsync(async () => { foreach (var a in Accumulators()) await sequential.RunAsync(run, a, ct); });
            var onePassTime = await TimeAsync(() => sequential.RunAsync(run, Accumulators(), ct));
            var inFlightTime = await TimeAsync(() => concurrent.RunAsync(run, Accumulators(), ct));
            var afterTime = await TimeAsync(() => rebuilding.RunAsync(run, Accumulators(), ct));
            var (objects, readsAloneTime) = await ReadMapsAsync(run, concurrent.ConcurrentReads, crmMaps: count, ct);
            var (objectsRead, readAloneTime) = await ReadMapsAsync(run, concurrent.ConcurrentReads, crmMaps: 1, ct);
            double before = beforeTime.Seconds, onePass = onePassTime.Seconds, inFlight = inFlightTime.Seconds, after = afterTime.Seconds,
                readsAlone = readsAloneTime.Seconds, readAlone = readAloneTime.Seconds;
            Console.WriteLine($"aggregation (class views + CLEAR dominance + audit), {count} images x crm,clear, {Side}x{Side} maps on s3rver " +
                $"(crm: {Grid}x{Grid} grids upsampled, as the worker stores them):");
            Console.WriteLine($"{"three passes, one read at a time (before)",-60} {before,8:F1} s {"",17} {beforeTime.Cpu}");
            Console.WriteLine($"{"one pass, one read at a time",-60} {onePass,8:F1} s {before / onePass,8:F2}x faster {onePassTime.Cpu}");
            Console.WriteLine($"{$"one pass, {concurrent.ConcurrentReads} reads in flight",-60} {inFlight,8:F1} s {before / inFlight,8:F2}x faster {inFlightTime.Cpu}");
            Console.WriteLine($"{$"one pass, {concurrent.ConcurrentReads} in flight, crm maps from their rows (after)",-60} {after,8:F1} s {before / after,8:F2}x faster {afterTime.Cpu}");
            Console.WriteLine($"{$"s3rver alone: GET of all {objects} maps, {concurrent.ConcurrentReads} in flight",-60} {readsAlone,8:F1} s {before / readsAlone,8:F2}x faster " +
                $"({objects / readsAlone:F0} GET/s: the ceiling of a pass that reads every map) {readsAloneTime.Cpu}");
            Console.WriteLine($"{$"s3rver alone: GET of the {objectsRead} the pass reads",-60} {readAlone,8:F1} s {before / readAlone,8:F2}x faster " +
                $"({objectsRead / readAlone:F0} GET/s: the ceiling of the pass after) {readAloneTime.Cpu}");
            return 0;
        }
        finally
        {
            Directory.Delete(local, recursive: true);
            await BenchSetup.DeleteObjectsAsync(id);
        }
    }

    /// <summary>
    /// The store's own rate for what a pass reads: every CLEAR object and the first <paramref name="crmMaps"/>
    /// crm maps under the run's results, fetched with the pass's concurrency and nothing done with the
    /// bytes. Returns the object count and seconds.
    /// </summary>
    private static async Task<(int Objects, Timing Time)> ReadMapsAsync(RunRow run, int concurrency, int crmMaps, CancellationToken ct)
    {
        using var store = ObjectStoreFactory.FromEnvironment.Open(run.ResultsUri);
        var keys = new List<string>();
        int crm = 0;
        await foreach (var key in store.ListAsync("", ct))
            if (key.EndsWith(".npy", StringComparison.Ordinal) && (!key.Contains("/crm/") || crm++ < crmMaps)) keys.Add(key);
        var seconds = await TimeAsync(() => Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (key, token) => await store.ReadAsync(key, token)));
        return (keys.Count, seconds);
    }

    /// <summary>Wall-clock seconds, and the CPU seconds this process spent in them (the rest of the machine's two cores is s3rver's and PostgreSQL's).</summary>
    private static async Task<Timing> TimeAsync(Func<Task> work)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await work();
        process.Refresh();
        return new Timing(watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private readonly record struct Timing(double Seconds, double CpuSeconds)
    {
        public string Cpu => $"(CPU here {CpuSeconds:F1} s)";
    }

    /// <summary>A completed run's rows and stored maps as workers leave them: a blob per map at a random place, a random dominant class per pixel.</summary>
    private static async Task<RunRow> StoredRunAsync(ResultStore results, string resultsUri, int count, CancellationToken ct)
    {
        var methods = new[] { "crm", ClearMethod.MethodName };
        var run = new RunRow
        {
            Id = Guid.NewGuid(), Status = RunStatus.Aggregating, Methods = string.Join(',', methods), ResultsUri = resultsUri,
            ClassNamesJson = JsonSerializer.Serialize(ClassNames), Expected = count,
        };
        await results.CreateRunAsync(run, ct);
        using var store = ObjectStoreFactory.FromEnvironment.Open(resultsUri);
        var rows = new ImageResultRow[count * methods.Length];
        // Maps made and written image by image (2,000 images hold 600 MB of maps), each a function of its index.
        // A crm map is what the worker stores: its feature grid in the row, the grid upsampled to input size as the .npy.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var rng = new Random(i);
            for (int m = 0; m < methods.Length; m++)
            {
                var method = methods[m];
                var grid = method == ClearMethod.MethodName ? null : new ExplanationMap(Grid, Grid, Blob(rng, Grid));
                var map = grid is null ? Blob(rng, Side) : BilinearUpsampler.Resize(grid, Side, Side).Values;
                rows[i * methods.Length + m] = new ImageResultRow
                {
                    ImageKey = Key(i), Method = method, Label = i % ClassNames.Length, Predicted = i % ClassNames.Length, TargetClass = i % ClassNames.Length, RoiRatio = 0.1,
                    MapHeight = grid?.Height ?? 0, MapWidth = grid?.Width ?? 0, MapLowRes = grid is null ? [] : LowResMapBytes.From(grid.Values),
                };
                await store.WriteAsync(ResultKeys.ImageMap(run.Id, method, Key(i)), NpyFile.ToBytes(map, [Side, Side]), token);
                if (method == ClearMethod.MethodName)
                    await store.WriteAsync(ResultKeys.ImageDominantClass(run.Id, method, Key(i)),
                        NpyFile.ToBytes(Enumerable.Range(0, Side * Side).Select(_ => (float)rng.Next(ClassNames.Length)).ToArray(), [Side, Side]), token);
            }
        });
        await results.SaveBatchAsync(run.Id, rows.Select(r => r.ImageKey).Distinct().ToList(), rows, [], ct);
        return run;
    }

    private static string Key(int index) => $"train_images/img{index:D5}.png";

    /// <summary>The grader's feature grid at 160 px.</summary>
    private const int Grid = 20;

    private static float[] Blob(Random rng, int side)
    {
        double scale = (double)side / Side;
        double cx = rng.NextDouble() * side, cy = rng.NextDouble() * side, s = (8 + rng.NextDouble() * 24) * scale;
        var map = new float[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                map[y * side + x] = (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
        return map;
    }
}
