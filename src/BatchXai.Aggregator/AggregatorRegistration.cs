using BatchXai.Storage.Objects;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchXai.Aggregator;

/// <summary>Wires the aggregator's consumer into a host.</summary>
public static class AggregatorRegistration
{
    public static void AddAggregatorConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<IObjectStoreFactory>(ObjectStoreFactory.FromEnvironment);
        bus.AddConsumer<RunCompletedConsumer>();
    }
}
