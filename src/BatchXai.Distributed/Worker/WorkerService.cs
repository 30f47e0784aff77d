using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Hosting;
using BatchXai.Http;
using BatchXai.Onnx.Runtime;
using BatchXai.Worker;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Worker;

/// <summary>
/// <c>batchxai worker</c>: a competing consumer of ExplainBatch messages. Stateless apart from
/// its model cache; scale by starting more. Says in one line at start which execution provider
/// it uses and how it is set up; /health on WORKER_PORT.
/// </summary>
public static class WorkerService
{
    public static async Task<WebApplication> BuildAsync(IConfiguration config, CancellationToken ct)
    {
        var settings = WorkerSettings.From(config);
        var rabbit = RabbitMqSettings.From(config);
        var postgres = PostgresSettings.From(config);
        var log = ServiceHost.StartupLog("worker");
        var runtime = OrtRuntime.Shared; // fails here, saying which package should have delivered it, when ONNX Runtime is missing
        var (provider, why) = settings.ChooseProvider(runtime);
        var options = settings.Options with { Session = settings.Options.Session with { ExecutionProvider = provider } };
        var openDb = await ServiceHost.OpenDatabaseAsync(postgres, log, ct);

        var builder = ServiceHost.CreateBuilder("worker", config, settings.Port);
        builder.Services.AddResultsDatabase(openDb);
        builder.Services.AddBatchXaiWorker(options);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddWorkerConsumers(options);
            bus.UsingBatchXaiRabbitMq(rabbit);
        });
        var app = builder.Build();
        app.UseBatchXaiSecurity(access: null); // only /health: headers, no credentials
        var details = new
        {
            provider = provider.ToString().ToLowerInvariant(), onnxRuntime = runtime.Version, onnxRuntimePackage = OrtRuntime.Flavor,
            concurrency = options.ConcurrentBatches, prefetch = options.PrefetchCount,
            intraOpThreads = options.Session.IntraOpThreads, maxInferenceBatch = options.MaxInferenceBatch,
        };
        app.MapHealth("worker", () => details);
        log.LogInformation("worker: execution provider {Provider} ({Why}); ONNX Runtime {Version} ({Package} package); concurrency {Concurrency}, prefetch {Prefetch}, " +
            "intra-op threads {Threads}, max inference batch {Batch}; health on port {Port}; bus {Bus}; database {Db}",
            details.provider, why, runtime.Version, OrtRuntime.Flavor, options.ConcurrentBatches, options.PrefetchCount,
            options.Session.IntraOpThreads == 0 ? "auto" : options.Session.IntraOpThreads, options.MaxInferenceBatch, settings.Port, rabbit, postgres);
        return app;
    }
}
