using BatchXai.Contracts;
using BatchXai.Storage.Database;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Coordinator;

/// <summary>
/// Declares a run complete when explained + failed = expected, exactly once even when several
/// progress events race (the status transition running → aggregating is conditional).
/// </summary>
public sealed class RunProgressTracker(ResultStore results, IBus bus, ILogger<RunProgressTracker> log)
{
    public async Task<RunProgress> OnProgressAsync(Guid runId, CancellationToken ct = default)
    {
        var progress = await results.RefreshProgressAsync(runId, ct);
        if (progress.AllAccountedFor && await results.TryTransitionAsync(runId, RunStatus.Running, RunStatus.Aggregating, ct: ct))
        {
            CoordinatorMetrics.RunsExplained.Add(1);
            log.LogInformation("run {Run}: all {Expected} images accounted for ({Explained} explained, {Failed} failed); aggregating",
                runId, progress.Expected, progress.Explained, progress.Failed);
            await bus.Publish(new RunCompleted(runId), ct);
        }
        return progress;
    }
}

/// <summary>Feeds worker progress events to the tracker.</summary>
public sealed class BatchExplainedConsumer(RunProgressTracker tracker) : IConsumer<BatchExplained>
{
    public Task Consume(ConsumeContext<BatchExplained> context) => tracker.OnProgressAsync(context.Message.RunId, context.CancellationToken);
}
