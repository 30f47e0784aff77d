using BatchXai.Distributed.Bus;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchXai.Tests.Distributed;

/// <summary>MassTransit's usage reports to usage-tracking.masstransit.io are on unless switched off: every BatchXai bus switches them off.</summary>
public sealed class UsageTelemetryTests
{
    [Fact]
    public void MassTransit_reports_usage_by_default_and_the_services_bus_does_not()
    {
        static bool Enabled(Action<IBusRegistrationConfigurator> configure)
        {
            var services = new ServiceCollection();
            services.AddMassTransit(configure);
            using var provider = services.BuildServiceProvider();
            return provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled;
        }

        // The library's default, so the test shows the switch matters.
        Assert.True(Enabled(bus => bus.UsingInMemory()));
        Assert.False(Enabled(bus => bus.UsingBatchXaiRabbitMq(new RabbitMqSettings())));
    }
}
