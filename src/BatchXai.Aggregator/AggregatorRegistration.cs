using MassTransit;

namespace BatchXai.Aggregator;

/// <summary>Wires the aggregator's consumer into a host.</summary>
public static class AggregatorRegistration
{
    public static void AddAggregatorConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<RunCompletedConsumer>();
}
