using System.Diagnostics;
using BatchXai.Contracts;
using MassTransit;

namespace BatchXai.Worker;

/// <summary>The worker's bus endpoint: explain a batch, then report it.</summary>
public sealed class ExplainBatchConsumer(BatchExplainer explainer) : IConsumer<ExplainBatch>
{
    public async Task Consume(ConsumeContext<ExplainBatch> context)
    {
        var message = context.Message;
        // The consume span (MassTransit's, when tracing listens) says which run and batch it is.
        Activity.Current?.SetTag("batchxai.run", message.RunId.ToString("D")).SetTag("batchxai.batch", message.BatchIndex);
        long started = Stopwatch.GetTimestamp();
        BatchOutcome outcome;
        try
        {
            outcome = await explainer.ExplainAsync(message, context.CancellationToken);
        }
        catch
        {
            WorkerMetrics.BatchesFaulted.Add(1, WorkerMetrics.Provider);
            WorkerMetrics.Failed("batch");
            throw;
        }
        if (outcome.Skipped)
        {
            WorkerMetrics.BatchesSkipped.Add(1, WorkerMetrics.Provider);
            return; // nothing to report: the run's progress no longer counts batches
        }
        WorkerMetrics.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, WorkerMetrics.Provider);
        WorkerMetrics.ImagesExplained.Add(outcome.Explained, WorkerMetrics.Provider);
        WorkerMetrics.ImagesFailed.Add(outcome.Failed, WorkerMetrics.Provider);
        foreach (var method in message.Settings.Methods)
            WorkerMetrics.Maps.Add(outcome.Explained, new KeyValuePair<string, object?>("method", method), WorkerMetrics.Provider);
        await context.Publish(new BatchExplained(message.RunId, message.BatchIndex, outcome.Explained, outcome.Failed), context.CancellationToken);
    }
}
