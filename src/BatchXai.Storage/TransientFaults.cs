using System.Net.Sockets;
using Amazon.Runtime;
using BatchXai.Storage.Objects;
using Npgsql;

namespace BatchXai.Storage;

/// <summary>
/// Which exceptions are worth a retry: a database or storage hiccup or outage (connection lost or
/// refused, timeout, server shutting down, 5xx, throttling, serialization failure, deadlock).
/// Anything else (a bad model, a bug) would fail the same way again. A transient fault is never
/// an image's failure: the whole batch is retried, later if need be.
/// </summary>
public static class TransientFaults
{
    // 08: connection exceptions; 40001/40P01: serialization failure, deadlock; 53300: too many
    // connections; 57P01..57P03: the server is shutting down, crashed, or not accepting connections yet.
    private static bool IsTransientSqlState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "40001" or "40P01" or "53300" or "57P01" or "57P02" or "57P03";

    public static bool IsTransient(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsTransient):
                case PostgresException pg when IsTransientSqlState(pg.SqlState):
                case NpgsqlException { IsTransient: true }:
                case AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError or System.Net.HttpStatusCode.TooManyRequests }:
                case StoreUnavailableException or HttpRequestException or SocketException or TimeoutException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The same judgement for an exception known only by its type name and message (a fault that
    /// crossed the bus): one of the exception types above, or a PostgreSQL error with a transient SQLSTATE.
    /// </summary>
    public static bool IsTransient(string? exceptionType, string? message) => exceptionType switch
    {
        "Npgsql.PostgresException" => message is { Length: >= 5 } && IsTransientSqlState(message[..5]),
        "Npgsql.NpgsqlException" or "System.Net.Http.HttpRequestException" or "System.Net.Sockets.SocketException"
            or "System.TimeoutException" or "MassTransit.RabbitMqConnectionException" => true,
        _ => exceptionType == typeof(StoreUnavailableException).FullName,
    };
}
