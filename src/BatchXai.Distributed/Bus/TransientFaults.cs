using System.Net.Sockets;
using Amazon.Runtime;
using Npgsql;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// Which exceptions are worth a retry: a broker, database or storage hiccup (connection lost,
/// timeout, 5xx, throttling, serialization failure, deadlock). Anything else (a bad model, a
/// bug) would fail the same way again, so its message goes straight to the error queue.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsTransient):
                case PostgresException pg when pg.SqlState is "40001" or "40P01" or "53300" or "57P03":
                case NpgsqlException { IsTransient: true }:
                case AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError or System.Net.HttpStatusCode.TooManyRequests }:
                case HttpRequestException or SocketException or TimeoutException:
                case MassTransit.RabbitMqConnectionException:
                    return true;
            }
        }
        return false;
    }
}
