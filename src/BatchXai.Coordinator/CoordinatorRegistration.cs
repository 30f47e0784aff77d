using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace BatchXai.Coordinator;

/// <summary>Wires the coordinator into a host, whatever the transport (in-memory embedded, RabbitMQ distributed).</summary>
public static class CoordinatorRegistration
{
    public static IServiceCollection AddBatchXaiCoordinator(this IServiceCollection services)
    {
        services.AddSingleton<RunProgressTracker>();
        services.AddSingleton<RunCoordinator>();
        services.AddSingleton<RunSweeper>();
        return services;
    }

    public static void AddCoordinatorConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<BatchExplainedConsumer>();
        bus.AddConsumer<ExplainBatchFaultConsumer>();
    }
}
