using System.Text;
using System.Text.Json;
using BatchXai.Aggregator;
using BatchXai.Coordinator;
using BatchXai.Worker;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BatchXai.Distributed.Bus;

/// <summary>A poison message as the API shows it: what it was, for which run, and why it failed.</summary>
public sealed record ErrorMessageView(string? MessageType, Guid? RunId, int? BatchIndex, string? ExceptionType, string? ExceptionMessage, string? FaultedAt);

/// <summary>One endpoint's error queue: how many messages it holds and the first few of them.</summary>
public sealed record ErrorQueueView(string Queue, long Count, IReadOnlyList<ErrorMessageView> Messages);

/// <summary>
/// Looks into the pipeline's error queues (where MassTransit moves messages whose retries are
/// spent) without consuming them: messages are fetched unacknowledged and go back to the queue
/// when the channel closes.
/// </summary>
public sealed class ErrorQueueReader(RabbitMqSettings settings)
{
    /// <summary>The error queues of every BatchXai endpoint, in pipeline order.</summary>
    public IReadOnlyList<string> Queues { get; } = ErrorQueuesOf(RabbitMqBus.EndpointNames(settings));

    public static IReadOnlyList<string> ErrorQueuesOf(IEndpointNameFormatter names) =>
    [
        names.Consumer<ExplainBatchConsumer>() + "_error",
        names.Consumer<BatchExplainedConsumer>() + "_error",
        names.Consumer<ExplainBatchFaultConsumer>() + "_error",
        names.Consumer<RunCompletedConsumer>() + "_error",
    ];

    public async Task<IReadOnlyList<ErrorQueueView>> ReadAsync(int peek, CancellationToken ct = default)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.Host, Port = settings.Port, VirtualHost = settings.VirtualHost,
            UserName = settings.User, Password = settings.Password ?? "", ClientProvidedName = "batchxai-error-queue-reader",
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        var views = new List<ErrorQueueView>();
        foreach (var queue in Queues) views.Add(await ReadQueueAsync(connection, queue, peek, ct));
        return views;
    }

    private static async Task<ErrorQueueView> ReadQueueAsync(IConnection connection, string queue, int peek, CancellationToken ct)
    {
        // A queue that does not exist yet (nothing ever failed there) closes its channel: use one per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        uint count;
        try
        {
            count = (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return new ErrorQueueView(queue, 0, []);
        }
        var messages = new List<ErrorMessageView>();
        for (int i = 0; i < Math.Min(peek, count); i++)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false, ct);
            if (got is null) break;
            messages.Add(Describe(got));
        }
        // Closing without acknowledging puts every fetched message back.
        await channel.CloseAsync(ct);
        return new ErrorQueueView(queue, count, messages);
    }

    private static ErrorMessageView Describe(BasicGetResult message)
    {
        string? Header(string name) => message.BasicProperties.Headers?.TryGetValue(name, out var v) == true
            ? v switch { byte[] b => Encoding.UTF8.GetString(b), null => null, _ => v.ToString() }
            : null;

        string? type = null;
        Guid? runId = null;
        int? batchIndex = null;
        try
        {
            using var envelope = JsonDocument.Parse(message.Body);
            if (envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0)
                type = types[0].GetString()?.Replace("urn:message:", "");
            if (envelope.RootElement.TryGetProperty("message", out var body) && body.ValueKind == JsonValueKind.Object)
            {
                if (body.TryGetProperty("runId", out var r) && r.TryGetGuid(out var g)) runId = g;
                if (body.TryGetProperty("batchIndex", out var b) && b.TryGetInt32(out var n)) batchIndex = n;
            }
        }
        catch (JsonException) { type = "(not a MassTransit JSON envelope)"; }
        return new ErrorMessageView(type, runId, batchIndex, Header("MT-Fault-ExceptionType"), Header("MT-Fault-Message"), Header("MT-Fault-Timestamp"));
    }
}
