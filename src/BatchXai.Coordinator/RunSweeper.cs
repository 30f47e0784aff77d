using System.Collections.Concurrent;
using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Coordinator;

/// <summary>
/// Finishes what a crash or a long outage left undone. A run still <c>running</c> with no
/// progress for <c>stallAfter</c>: its progress is recounted (completing it if every image is in
/// fact accounted for), else the images of its recorded batches that no row accounts for are
/// published again. A run still <c>aggregating</c> that long: <see cref="RunCompleted"/> is sent
/// again. Every write of the pipeline is idempotent, so a batch that was only slow is at worst
/// explained twice with the same rows. Each such run gets a note saying why (its error field).
/// A run the sweep has helped on is left alone for <c>hold</c> (the bus's retry and redelivery
/// budget): during an outage the copies it published, like the originals, wait in the delayed
/// redelivery; publishing more copies every sweep only piled up work (130 copies of 10 batches in a
/// 3-minute store outage) that, once the store was back, rewrote the same maps under the aggregator
/// and ran some copies out of their redeliveries into the error queue.
/// </summary>
public sealed class RunSweeper(ResultStore results, IBus bus, RunProgressTracker tracker, ILogger<RunSweeper> log)
{
    private readonly ConcurrentDictionary<Guid, DateTime> _heldUntil = new();

    /// <summary>Sweeps once; the number of runs it helped on.</summary>
    public async Task<int> SweepAsync(TimeSpan stallAfter, TimeSpan hold = default, CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        foreach (var (id, until) in _heldUntil) if (until <= now) _heldUntil.TryRemove(id, out _);
        var quiet = (await results.QuietRunsAsync(now - stallAfter, ct)).Where(r => !_heldUntil.ContainsKey(r.Id)).ToList();
        foreach (var run in quiet)
        {
            if (run.Status == RunStatus.Aggregating) await ResendCompletedAsync(run, stallAfter, ct);
            else await RepublishAsync(run, stallAfter, ct);
            // Only once the work is on the bus: a sweep that failed (broker down) tries again next time.
            if (hold > TimeSpan.Zero) _heldUntil[run.Id] = DateTime.UtcNow + hold;
        }
        return quiet.Count;
    }

    private async Task ResendCompletedAsync(RunRow run, TimeSpan stallAfter, CancellationToken ct)
    {
        log.LogWarning("run {Run}: aggregating with no change for {Quiet}; sending RunCompleted again", run.Id, stallAfter);
        await results.NoteAsync(run.Id, $"stalled: aggregating with no change for {stallAfter}; aggregation requested again at {DateTime.UtcNow:u}", ct);
        await bus.Publish(new RunCompleted(run.Id), ct);
        CoordinatorMetrics.SweptRuns.Add(1, new KeyValuePair<string, object?>("action", "aggregate"));
    }

    private async Task RepublishAsync(RunRow run, TimeSpan stallAfter, CancellationToken ct)
    {
        // Recounting completes a run whose last progress event was lost (and stamps it as touched).
        var progress = await tracker.OnProgressAsync(run.Id, ct);
        if (progress.AllAccountedFor) return;
        var accounted = await results.AccountedKeysAsync(run.Id, ct);
        var settings = RunInfo.Of(run).Settings;
        var batches = (await results.RunBatchesAsync(run.Id, ct))
            .Select(b => new ExplainBatch(run.Id, b.BatchIndex, settings, ImagesOf(b).Where(i => !accounted.Contains(i.Key)).ToList()))
            .Where(b => b.Images.Count > 0)
            .ToList();
        int images = batches.Sum(b => b.Images.Count);
        var why = $"stalled: no progress for {stallAfter} at {progress.Explained + progress.Failed} of {progress.Expected} images; " +
            $"{images} image(s) in {batches.Count} batch(es) published again at {DateTime.UtcNow:u}";
        log.LogWarning("run {Run}: {Why}", run.Id, why);
        await results.NoteAsync(run.Id, why, ct);
        await bus.PublishBatch(batches, ct);
        CoordinatorMetrics.SweptRuns.Add(1, new KeyValuePair<string, object?>("action", "republish"));
        CoordinatorMetrics.RepublishedImages.Add(images);
    }

    /// <summary>A published batch as recorded with its run.</summary>
    public static RunBatchRow RowOf(ExplainBatch batch) =>
        new() { RunId = batch.RunId, BatchIndex = batch.BatchIndex, ImagesJson = JsonSerializer.Serialize(batch.Images, Json) };

    public static IReadOnlyList<ImageRef> ImagesOf(RunBatchRow row) =>
        JsonSerializer.Deserialize<List<ImageRef>>(row.ImagesJson, Json) ?? throw new InvalidDataException($"run {row.RunId} batch {row.BatchIndex}: no images recorded");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
