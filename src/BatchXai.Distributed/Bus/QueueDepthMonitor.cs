using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;
using BatchXai.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// The coordinator's view of the queues (exported as batchxai_bus_queue_messages{queue}): how many
/// batches wait for a worker, how many wait in delay queues for a redelivery, how many sit in the
/// error queues. Polled every <see cref="Interval"/> by passive declares, so a scrape never waits on the broker.
/// </summary>
public sealed class QueueDepthMonitor : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly RabbitMqSettings _settings;
    private readonly ILogger<QueueDepthMonitor> _log;
    private readonly ConcurrentDictionary<string, long> _depths = new();
    private readonly IReadOnlyList<string> _queues;

    public QueueDepthMonitor(RabbitMqSettings settings, ILogger<QueueDepthMonitor> log)
    {
        _settings = settings;
        _log = log;
        var names = RabbitMqBus.EndpointNames(settings);
        var work = names.Consumer<ExplainBatchConsumer>();
        _queues = [work, .. settings.RedeliveryIntervals.Select(i => DelayedRedeliveryFilter.DelayQueueName(work, i)), .. ErrorQueueReader.ErrorQueuesOf(names)];
        PipelineMeter.Meter.CreateObservableGauge("batchxai.bus.queue.messages",
            () => _depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("queue", d.Key))),
            "{message}", "Messages waiting in the pipeline's queues, as the coordinator last saw them");
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await PollAsync(ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogDebug("queue depths not read: {Error}", e.Message);
            }
            await Task.Delay(Interval, ct);
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = _settings.Host, Port = _settings.Port, VirtualHost = _settings.VirtualHost,
            UserName = _settings.User, Password = _settings.Password ?? "", ClientProvidedName = "batchxai-queue-depths",
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        foreach (var queue in _queues)
        {
            // A queue not declared yet closes its channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try { _depths[queue] = (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount; }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { _depths[queue] = 0; }
        }
    }
}
