using BatchXai.Coordinator.Models;
using BatchXai.Onnx.Backward;
using BatchXai.Storage.Models;
using MassTransit;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchXai.Coordinator;

/// <summary>Wires the coordinator into a host, whatever the transport (in-memory embedded, RabbitMQ distributed).</summary>
public static class CoordinatorRegistration
{
    public static IServiceCollection AddBatchXaiCoordinator(this IServiceCollection services)
    {
        services.TryAddSingleton<IObjectStoreFactory>(ObjectStoreFactory.FromEnvironment);
        services.AddSingleton<RunProgressTracker>();
        services.TryAddSingleton(_ => new ModelFileCache(ModelFileCache.DefaultDirectory(PreparedModelCache.CacheRoot())));
        services.AddSingleton<ModelResolver>();
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
