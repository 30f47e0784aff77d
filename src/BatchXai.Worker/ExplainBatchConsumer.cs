using BatchXai.Contracts;
using MassTransit;

namespace BatchXai.Worker;

/// <summary>The worker's bus endpoint: explain a batch, then report it.</summary>
public sealed class ExplainBatchConsumer(BatchExplainer explainer) : IConsumer<ExplainBatch>
{
    public async Task Consume(ConsumeContext<ExplainBatch> context)
    {
        var message = context.Message;
        var outcome = await explainer.ExplainAsync(message, context.CancellationToken);
        await context.Publish(new BatchExplained(message.RunId, message.BatchIndex, outcome.Explained, outcome.Failed), context.CancellationToken);
    }
}
