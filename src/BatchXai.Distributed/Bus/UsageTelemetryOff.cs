using MassTransit;

namespace BatchXai.Distributed.Bus;

/// <summary>
/// MassTransit (8.4 and later) reports anonymous usage to usage-tracking.masstransit.io some time
/// after a bus starts, unless told not to. BatchXai runs beside patient images, often on networks
/// with no way out: it never calls home, and an offline host no longer logs a failed report with a
/// stack trace from every service.
/// </summary>
public static class UsageTelemetryOff
{
    public static IBusRegistrationConfigurator WithoutUsageTelemetry(this IBusRegistrationConfigurator bus)
    {
        bus.ConfigureUsageTelemetryOptions(options => options.Enabled = false);
        return bus;
    }
}
