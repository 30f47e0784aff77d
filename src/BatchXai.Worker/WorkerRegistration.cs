using BatchXai.Onnx.Backward;
using BatchXai.Storage.Models;
using MassTransit;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchXai.Worker;

/// <summary>Wires a worker into a host: the model cache, the batch explainer and its competing consumer.</summary>
public static class WorkerRegistration
{
    public static IServiceCollection AddBatchXaiWorker(this IServiceCollection services, WorkerOptions options)
    {
        services.TryAddSingleton<IObjectStoreFactory>(ObjectStoreFactory.FromEnvironment);
        services.AddSingleton(options);
        WorkerMetrics.UseProvider(options.Session.ExecutionProvider.ToString().ToLowerInvariant());
        services.TryAddSingleton(_ => FetchedModels(options.ModelCacheBytes)); // one per process: the coordinator in an embedded host shares it
        services.AddModelProbes(options);
        services.AddSingleton<BatchExplainer>();
        return services;
    }

    /// <summary>
    /// The model cache and the causal check's access to it (<see cref="ModelProbes"/>): a worker has them,
    /// and a distributed aggregator adds them alone to run the audit's masking.
    /// </summary>
    public static IServiceCollection AddModelProbes(this IServiceCollection services, WorkerOptions options)
    {
        services.TryAddSingleton<IObjectStoreFactory>(ObjectStoreFactory.FromEnvironment);
        services.TryAddSingleton(options);
        services.TryAddSingleton(_ => FetchedModels(options.ModelCacheBytes));
        services.TryAddSingleton<ModelCache>();
        services.TryAddSingleton<Contracts.IModelProbeSource, ModelProbes>();
        return services;
    }

    /// <summary>The cache of models fetched from object stores, under BatchXai's cache folder (models/).</summary>
    public static ModelFileCache FetchedModels(long maxBytes = ModelFileCache.DefaultMaxBytes) =>
        new(ModelFileCache.DefaultDirectory(PreparedModelCache.CacheRoot()), maxBytes);

    public static void AddWorkerConsumers(this IBusRegistrationConfigurator bus, WorkerOptions options)
    {
        bus.AddConsumer<ExplainBatchConsumer>().Endpoint(e =>
        {
            e.ConcurrentMessageLimit = options.ConcurrentBatches;
            if (options.PrefetchCount > 0) e.PrefetchCount = options.PrefetchCount;
        });
    }
}
