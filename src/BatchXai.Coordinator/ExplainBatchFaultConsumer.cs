using BatchXai.Contracts;
using BatchXai.Storage.Database;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Coordinator;

/// <summary>
/// A batch that failed on every retry (a poison message) fails its images with the worker's
/// error instead of leaving the run waiting forever. Images already stored by an earlier,
/// partly successful delivery keep their results.
/// </summary>
public sealed class ExplainBatchFaultConsumer(ResultStore results, RunProgressTracker tracker, ILogger<ExplainBatchFaultConsumer> log) : IConsumer<Fault<ExplainBatch>>
{
    public async Task Consume(ConsumeContext<Fault<ExplainBatch>> context)
    {
        var batch = context.Message.Message;
        var error = string.Join("; ", context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
        log.LogError("run {Run} batch {Batch} failed after retries: {Error}", batch.RunId, batch.BatchIndex, error);
        var explained = (await results.ResultsKeysAsync(batch.RunId, batch.Images.Select(i => i.Key).ToList(), context.CancellationToken)).ToHashSet();
        var failures = batch.Images.Where(i => !explained.Contains(i.Key))
            .Select(i => new ImageFailureRow { ImageKey = i.Key, Stage = FailureStage.Explain, Error = $"batch {batch.BatchIndex} failed: {error}" })
            .ToList();
        if (failures.Count > 0) await results.SaveFailuresAsync(batch.RunId, failures, context.CancellationToken);
        await tracker.OnProgressAsync(batch.RunId, context.CancellationToken);
    }
}
