using System.Reflection;
using BatchXai.Contracts;
using BatchXai.Storage;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// Redelivers a message later when its immediate retries are spent on a transient fault (a
/// database, store or broker outage longer than the retry budget), instead of moving it to the
/// error queue. RabbitMQ's delayed-exchange plugin (which MassTransit's own delayed redelivery
/// needs) is not assumed: the message is copied, with its headers, into a delay queue
/// (<c>{queue}_delay_{seconds}s</c>) whose messages expire after the interval and are then
/// dead-lettered back to the endpoint's queue, before the original is acknowledged. The copy
/// is published with confirms, so a crash between the two steps can only deliver it twice,
/// which the pipeline's idempotent writes absorb. After the last interval the fault goes to the
/// error queue as before.
/// </summary>
public sealed class DelayedRedeliveryFilter(RabbitMqSettings settings, ILogger? log = null) : IFilter<ConsumeContext>
{
    /// <summary>How many delayed redeliveries a message has had (0 when absent).</summary>
    public const string AttemptHeader = "BatchXai-Delayed-Redelivery";

    private readonly ILogger _log = log ?? NullLogger.Instance;

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested && IsTransient(e)
            && AttemptOf(context) < settings.RedeliveryIntervals.Count
            && context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery))
        {
            int attempt = AttemptOf(context);
            var delay = settings.RedeliveryIntervals[attempt];
            var queue = QueueOf(context.ReceiveContext.InputAddress);
            await PublishDelayedAsync(delivery, context.ReceiveContext.Body.GetBytes(), queue, attempt + 1, delay, context.CancellationToken);
            BusMetrics.DelayedRedeliveries.Add(1, new KeyValuePair<string, object?>("queue", queue));
            await MarkConsumedAsync(context, e);
            _log.LogWarning("{Queue}: message {Message} failed on a transient fault after its immediate retries; redelivery {Attempt} of {Attempts} in {Delay} ({Error})",
                queue, context.MessageId, attempt + 1, settings.RedeliveryIntervals.Count, delay, e.Message);
            // Returning normally acknowledges the original: its copy waits in the delay queue.
        }
    }

    /// <summary>
    /// The pipeline's messages: one whose delivery ended in a delayed redelivery is marked consumed
    /// as that type, else MassTransit would move the original to <c>{queue}_skipped</c>.
    /// </summary>
    private static readonly Type[] MessageTypes =
        [typeof(ExplainBatch), typeof(BatchExplained), typeof(Fault<ExplainBatch>), typeof(RunCompleted)];

    private static readonly MethodInfo MarkConsumedAsMethod =
        typeof(DelayedRedeliveryFilter).GetMethod(nameof(MarkConsumedAs), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static async Task MarkConsumedAsync(ConsumeContext context, Exception e)
    {
        foreach (var type in MessageTypes)
            if (await (Task<bool>)MarkConsumedAsMethod.MakeGenericMethod(type).Invoke(null, [context])!) return;
        // A message of another type: recorded as faulted (not skipped); its copy waits in the delay queue all the same.
        await context.ReceiveContext.NotifyFaulted(e);
    }

    private static async Task<bool> MarkConsumedAs<T>(ConsumeContext context) where T : class
    {
        if (!context.TryGetMessage<T>(out var typed)) return false;
        await context.NotifyConsumed(typed, context.ReceiveContext.ElapsedTime, nameof(DelayedRedeliveryFilter));
        return true;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("batchxai-delayed-redelivery");

    /// <summary>What the bus retries: a storage or database fault, or the broker's connection.</summary>
    public static bool IsTransient(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is RabbitMqConnectionException) return true;
        return TransientFaults.IsTransient(e);
    }

    private static int AttemptOf(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery)
        && delivery.Properties.Headers?.TryGetValue(AttemptHeader, out var value) == true && value is int n ? n : 0;

    /// <summary>The queue name at the end of an endpoint address (rabbitmq://host/vhost/queue?options).</summary>
    private static string QueueOf(Uri inputAddress) => inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];

    /// <summary>The delay queue of <paramref name="queue"/> for one interval; every name the stack may declare (for cleanup).</summary>
    public static string DelayQueueName(string queue, TimeSpan delay) => $"{queue}_delay_{(long)delay.TotalSeconds}s";

    private async Task PublishDelayedAsync(RabbitMqBasicConsumeContext delivery, byte[] body, string queue, int attempt, TimeSpan delay, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.Host, Port = settings.Port, VirtualHost = settings.VirtualHost,
            UserName = settings.User, Password = settings.Password ?? "", ClientProvidedName = "batchxai-delayed-redelivery",
        };
        // A connection per redelivery: they are rare (an outage), and nothing is held between them.
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var delayQueue = DelayQueueName(queue, delay);
        await channel.QueueDeclareAsync(delayQueue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-message-ttl"] = (long)delay.TotalMilliseconds,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = queue,
        }, cancellationToken: ct);
        var original = delivery.Properties;
        var headers = original.Headers is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(original.Headers);
        headers[AttemptHeader] = attempt;
        var properties = new BasicProperties
        {
            ContentType = original.ContentType,
            MessageId = original.MessageId,
            CorrelationId = original.CorrelationId,
            Type = original.Type,
            Headers = headers,
            DeliveryMode = DeliveryModes.Persistent,
        };
        await channel.BasicPublishAsync("", delayQueue, mandatory: false, properties, body, ct);
    }
}
