using BatchXai.Distributed.Bus;
using RabbitMQ.Client;

namespace BatchXai.Tests.Distributed;

/// <summary>Cleans a test stack's entities off the shared broker.</summary>
internal static class BrokerQueues
{
    /// <summary>
    /// Deletes every endpoint's queue and exchange, its _error and _skipped queues, and the delay
    /// queues of <paramref name="redeliveryIntervals"/>, under the settings' prefix.
    /// </summary>
    public static async Task DeleteAsync(RabbitMqSettings rabbit, IReadOnlyList<TimeSpan> redeliveryIntervals)
    {
        var factory = new ConnectionFactory { HostName = rabbit.Host, Port = rabbit.Port, UserName = rabbit.User, Password = rabbit.Password! };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var error in ErrorQueueReader.ErrorQueuesOf(RabbitMqBus.EndpointNames(rabbit)))
        {
            var endpoint = error[..^"_error".Length];
            var names = new[] { endpoint, error, endpoint + "_skipped" }
                .Concat(redeliveryIntervals.Select(i => DelayedRedeliveryFilter.DelayQueueName(endpoint, i)));
            foreach (var name in names)
            {
                // A missing queue or exchange closes the channel: one per name.
                await using var channel = await connection.CreateChannelAsync();
                try
                {
                    await channel.QueueDeleteAsync(name);
                    await channel.ExchangeDeleteAsync(name);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
            }
        }
    }
}
