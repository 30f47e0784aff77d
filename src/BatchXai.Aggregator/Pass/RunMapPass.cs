using System.Numerics.Tensors;
using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Pass;

/// <summary>
/// The aggregator's one pass over a run's stored maps: for each method, every selected image's map
/// (and CLEAR's dominant-class map where asked) is read once, with up to
/// <see cref="ConcurrentReads"/> reads in flight, and handed to every accumulator that needs it, in
/// result order. Memory stays bounded by the reads in flight. Before, the class views, CLEAR's
/// dominance and the audit each read every map, one read at a time (issue 17). Maps the rows hold
/// exactly (CAM/CRM feature grids) are rebuilt from the rows instead of read.
/// </summary>
/// <param name="rebuildFromRows">Rebuild the maps their rows hold exactly instead of reading them (<see cref="RowRebuildsMapsAsync"/>);
/// false reads every map (the benchmark's "before").</param>
public sealed class RunMapPass(ResultStore results, ClassSelection selection, IObjectStoreFactory? stores = null, int concurrentReads = RunMapPass.DefaultConcurrentReads,
    bool rebuildFromRows = true)
{
    /// <summary>Enough to hide an S3 round trip behind the others on a small machine; a map is one input-size float32 array.</summary>
    public const int DefaultConcurrentReads = 16;

    public int ConcurrentReads { get; } = concurrentReads >= 1 ? concurrentReads
        : throw new ArgumentOutOfRangeException(nameof(concurrentReads), concurrentReads, "at least one read must be allowed in flight");

    public async Task RunAsync(RunRow run, IReadOnlyList<IMapAccumulator> accumulators, CancellationToken ct)
    {
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        var info = RunInfo.Of(run);
        int classes = info.ClassNames.Length;
        foreach (var method in info.Methods)
        {
            var needing = accumulators.Where(a => a.NeedsFor(method) != MapNeeds.None).ToArray();
            if (needing.Length == 0) continue;
            bool dominant = needing.Any(a => a.NeedsFor(method).HasFlag(MapNeeds.DominantClass));
            var rows = await results.ResultsAsync(run.Id, method, ct);
            var images = rows
                .Select(row => (Row: row, Class: ClassSelections.ClassOf(selection, row)))
                .Where(i => i.Class is int c && c >= 0 && c < classes)
                .Select(i => (i.Row, Class: i.Class!.Value)).ToList();
            var rebuild = rebuildFromRows && images.Count > 0 ? await RowRebuildsMapsAsync(output, run.Id, method, rows[0], info.ClassNames, ct) : null;
            await foreach (var (image, measures) in ReadInOrderAsync(output, run.Id, method, info.ClassNames, images, dominant, rebuild, needing, ct))
                for (int a = 0; a < needing.Length; a++) needing[a].Add(image, measures[a]);
        }
        foreach (var accumulator in accumulators) await accumulator.FinishAsync(output, ct);
    }

    /// <summary>
    /// The input size at which this method's maps can be rebuilt from their rows instead of read
    /// (<see cref="StoredMaps.FromRow"/>): when the method's first result's rebuilt map is its stored .npy, bit
    /// for bit — true of every map the method made on this run (same method, same model, same grid),
    /// and never of maps whose row holds a resample (input-size gradient maps), which are read. For
    /// CAM and CRM this removes every map GET but one per method. Null: read every map.
    /// </summary>
    private static async Task<RowRebuild?> RowRebuildsMapsAsync(IObjectStore store, Guid runId, string method,
        ImageResultRow first, string[] classNames, CancellationToken ct)
    {
        var stored = await StoredMaps.ReadAsync(store, ResultKeys.ImageMap(runId, method, first.ImageKey, ResultKeys.FindingOf(first, classNames)), ct);
        return StoredMaps.FromRow(first, stored.Height, stored.Width) is { } rebuilt && StoredMaps.Identical(rebuilt, stored)
            ? new RowRebuild(stored.Height, stored.Width, first.MapHeight, first.MapWidth) : null;
    }

    /// <summary>Runs one accumulator alone (what a single builder does when called by itself).</summary>
    public Task RunAsync(RunRow run, IMapAccumulator accumulator, CancellationToken ct) => RunAsync(run, [accumulator], ct);

    /// <summary>
    /// A sliding window of reads: up to <see cref="ConcurrentReads"/> started ahead, each measured by every accumulator in
    /// <paramref name="needing"/> on the thread pool (the per-image CPU work runs beside the reads instead of on the
    /// one thread that adds), yielded in the order of <paramref name="images"/> with one measure per accumulator.
    /// </summary>
    private async IAsyncEnumerable<(StoredImageMap Image, object?[] Measures)> ReadInOrderAsync(IObjectStore store, Guid runId, string method,
        string[] classNames, IEnumerable<(ImageResultRow Row, int Class)> images, bool dominant, RowRebuild? rebuild, IMapAccumulator[] needing,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var window = new Queue<Task<(StoredImageMap, object?[])>>(ConcurrentReads);
        try
        {
            foreach (var (row, c) in images)
            {
                if (window.Count == ConcurrentReads) yield return await window.Dequeue();
                var finding = ResultKeys.FindingOf(row, classNames);
                window.Enqueue(Task.Run(async () =>
                {
                    var image = await ReadAsync(store, runId, method, row, c, dominant, finding, rebuild, stop.Token);
                    return (image, Array.ConvertAll(needing, a => a.Measure(image)));
                }, stop.Token));
            }
            while (window.Count > 0) yield return await window.Dequeue();
        }
        finally
        {
            // A failed read (or a consumer that stopped early) leaves reads in flight: stop and observe them.
            stop.Cancel();
            foreach (var pending in window)
                try { await pending; } catch (Exception) { /* the first failure is the one reported */ }
        }
    }

    /// <param name="finding">A multi-label row's finding folder (<see cref="ResultKeys.FindingOf"/>); null for single-label rows.</param>
    /// <param name="rebuild">Where the method's maps are rebuilt from their rows (<see cref="RowRebuildsMapsAsync"/>): a row with the same grid is not read.</param>
    private static async Task<StoredImageMap> ReadAsync(IObjectStore store, Guid runId, string method, ImageResultRow row, int classIndex, bool dominant,
        string? finding, RowRebuild? rebuild, CancellationToken ct)
    {
        var mapRead = rebuild is { } r && r.GridHeight == row.MapHeight && r.GridWidth == row.MapWidth && StoredMaps.FromRow(row, r.Height, r.Width) is { } rebuilt
            ? Task.FromResult(rebuilt)
            : StoredMaps.ReadAsync(store, ResultKeys.ImageMap(runId, method, row.ImageKey, finding), ct);
        int[]? dominantClass = null;
        if (dominant)
        {
            var stored = NpyFile.Read(await store.ReadAsync(ResultKeys.ImageDominantClass(runId, method, row.ImageKey, finding), ct)).Data;
            dominantClass = new int[stored.Length];
            TensorPrimitives.ConvertTruncating(stored, dominantClass);   // class indices stored as floats: (int)v, vectorised
        }
        return new StoredImageMap(method, classIndex, row, await mapRead, dominantClass);
    }

    /// <summary>A method's maps rebuilt from rows holding a <paramref name="GridHeight"/> × <paramref name="GridWidth"/> grid, at the stored input size.</summary>
    private readonly record struct RowRebuild(int Height, int Width, int GridHeight, int GridWidth);
}
