using BatchXai.Contracts;
using BatchXai.Storage;
using BatchXai.Storage.Database;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Coordinator;

/// <summary>
/// A batch that failed on every retry (a poison message) fails its images with the worker's
/// error instead of leaving the run waiting forever. Images already stored by an earlier,
/// partly successful delivery keep their results. A batch that failed for a transient reason
/// (database, store or broker unreachable) fails no image: it is redelivered later, and the
/// coordinator's sweep republishes it if every redelivery is spent.
/// </summary>
public sealed class ExplainBatchFaultConsumer(ResultStore results, RunProgressTracker tracker, ILogger<ExplainBatchFaultConsumer> log) : IConsumer<Fault<ExplainBatch>>
{
    public async Task Consume(ConsumeContext<Fault<ExplainBatch>> context)
    {
        var batch = context.Message.Message;
        var error = string.Join("; ", context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
        if (context.Message.Exceptions.Any(IsTransient))
        {
            log.LogWarning("run {Run} batch {Batch}: transient fault, no image failed (it is retried): {Error}", batch.RunId, batch.BatchIndex, error);
            return;
        }
        log.LogError("run {Run} batch {Batch} failed after retries: {Error}", batch.RunId, batch.BatchIndex, error);
        var explained = (await results.ResultsKeysAsync(batch.RunId, batch.Images.Select(i => i.Key).ToList(), context.CancellationToken)).ToHashSet();
        var failures = batch.Images.Where(i => !explained.Contains(i.Key))
            .Select(i => new ImageFailureRow { ImageKey = i.Key, Stage = FailureStage.Explain, Error = $"batch {batch.BatchIndex} failed: {error}" })
            .ToList();
        if (failures.Count > 0) await results.SaveFailuresAsync(batch.RunId, failures, context.CancellationToken);
        await tracker.OnProgressAsync(batch.RunId, context.CancellationToken);
    }

    /// <summary>Whether the exception, or one it wraps, is a transient fault.</summary>
    private static bool IsTransient(ExceptionInfo? e)
    {
        for (; e is not null; e = e.InnerException)
            if (TransientFaults.IsTransient(e.ExceptionType, e.Message)) return true;
        return false;
    }
}
