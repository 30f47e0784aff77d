using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// Where the broker is and how the bus uses it: RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_VHOST,
/// RABBITMQ_USER, RABBITMQ_PASSWORD, and RABBITMQ_PREFIX (put before every queue and exchange
/// name, so several deployments or test runs can share one broker). Not a record: a record's
/// generated ToString would print the password into logs.
/// </summary>
public sealed class RabbitMqSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 5672;
    public string VirtualHost { get; init; } = "/";
    public string User { get; init; } = "guest";
    public string? Password { get; init; }
    public string Prefix { get; init; } = "";

    /// <summary>Immediate retries of a message whose handling threw a transient fault, with exponential back-off.</summary>
    public int RetryLimit { get; init; } = 5;
    public TimeSpan RetryMinInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMaxInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Delayed redeliveries after the immediate retries are spent on a transient fault
    /// (REDELIVERY_INTERVALS, e.g. "1m,5m,15m"; "none" for none): an outage of the database or the
    /// store of up to about their sum is ridden out without failing anything.
    /// </summary>
    public IReadOnlyList<TimeSpan> RedeliveryIntervals { get; init; } = DefaultRedeliveryIntervals;

    public static readonly IReadOnlyList<TimeSpan> DefaultRedeliveryIntervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    public static RabbitMqSettings From(IConfiguration config) => new()
    {
        Host = config.Text("RABBITMQ_HOST") ?? "127.0.0.1",
        Port = config.Int("RABBITMQ_PORT", 5672),
        VirtualHost = config.Text("RABBITMQ_VHOST") ?? "/",
        User = config.Text("RABBITMQ_USER") ?? "guest",
        Password = config.Text("RABBITMQ_PASSWORD"),
        Prefix = config.Text("RABBITMQ_PREFIX") ?? "",
        RetryLimit = config.IntIn("RETRY_LIMIT", 5, 0, 100),
        RedeliveryIntervals = config.Intervals("REDELIVERY_INTERVALS", DefaultRedeliveryIntervals),
    };


    /// <summary>Where, never the password.</summary>
    public override string ToString() =>
        $"amqp://{User}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}{(Prefix.Length > 0 ? $" (prefix '{Prefix}')" : "")}";
}
