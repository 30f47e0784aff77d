using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// The distributed mode's transport: MassTransit on RabbitMQ. Every service uses this one
/// configuration, so queue and exchange names (with the optional prefix) and the retry policy
/// agree across processes.
/// </summary>
public static class RabbitMqBus
{
    /// <summary>The endpoint (queue) names, with the settings' prefix: the same in every process.</summary>
    public static IEndpointNameFormatter EndpointNames(RabbitMqSettings settings) =>
        new KebabCaseEndpointNameFormatter(settings.Prefix, includeNamespace: false);

    public static void UsingBatchXaiRabbitMq(this IBusRegistrationConfigurator bus, RabbitMqSettings settings)
    {
        bus.SetEndpointNameFormatter(EndpointNames(settings));
        bus.WithoutUsageTelemetry();
        bus.UsingRabbitMq((context, cfg) =>
        {
            Configure(cfg, settings, context.GetService<ILoggerFactory>()?.CreateLogger("BatchXai.Bus"));
            cfg.ConfigureEndpoints(context);
        });
    }

    /// <summary>A bus that only publishes (tools, tests, benchmarks): no consumers, same names and broker.</summary>
    public static async Task<IBusControl> StartPublisherAsync(RabbitMqSettings settings, CancellationToken ct = default)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg => Configure(cfg, settings));
        await bus.StartAsync(ct);
        return bus;
    }

    /// <summary>Broker, names and retry policy; for buses built by hand (tests, tools) as well as the services'.</summary>
    public static void Configure(IRabbitMqBusFactoryConfigurator cfg, RabbitMqSettings settings, ILogger? log = null)
    {
        cfg.Host(settings.Host, (ushort)settings.Port, settings.VirtualHost, h =>
        {
            h.Username(settings.User);
            if (settings.Password is not null) h.Password(settings.Password);
        });
        if (settings.Prefix.Length > 0)
            cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, settings.Prefix));
        // Transient faults are retried in the consumer with exponential back-off; once those retries
        // are spent the message is redelivered later (the filter outside the retry, configured first),
        // at each of the redelivery intervals. Once those are spent too (or at once for a permanent
        // fault) MassTransit moves the message to the endpoint's _error queue and publishes Fault<T>,
        // which the coordinator turns into failed images when the fault is permanent.
        cfg.UseFilter(new DelayedRedeliveryFilter(settings, log));
        cfg.UseMessageRetry(r =>
        {
            r.Exponential(settings.RetryLimit, settings.RetryMinInterval, settings.RetryMaxInterval, settings.RetryMinInterval);
            r.Handle<Exception>(DelayedRedeliveryFilter.IsTransient);
        });
    }
}
