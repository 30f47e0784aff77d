using BatchXai.Aggregator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Hosting;
using BatchXai.Distributed.Worker;
using BatchXai.Worker;
using BatchXai.Http;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Aggregator;

/// <summary><c>batchxai aggregator</c>: builds class-level views, reports and the audit (with its causal check, through the run's model) when a run completes; /health on AGGREGATOR_PORT.</summary>
public static class AggregatorService
{
    public const int DefaultPort = 8082;

    public static async Task<WebApplication> BuildAsync(IConfiguration config, CancellationToken ct)
    {
        int port = config.IntIn("AGGREGATOR_PORT", DefaultPort, 0, 65535);
        var rabbit = RabbitMqSettings.From(config);
        var postgres = PostgresSettings.From(config);
        var log = ServiceHost.StartupLog("aggregator");
        var openDb = await ServiceHost.OpenDatabaseAsync(postgres, log, ct);

        var builder = ServiceHost.CreateBuilder("aggregator", config, port);
        builder.Services.AddResultsDatabase(openDb);
        // The audit's causal check masks images through the run's model: the worker's model cache, on the CPU
        // (WORKER_THREADS, WORKER_MODEL_CACHE_MB and the other worker settings apply), fetched and checked as a worker does.
        builder.Services.AddModelProbes(WorkerSettings.From(config).Options);
        builder.Services.AddFaultTestHooks(config);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddAggregatorConsumers();
            bus.UsingBatchXaiRabbitMq(rabbit);
        });
        var app = builder.Build();
        app.UseBatchXaiSecurity(access: null); // only /health: headers, no credentials
        app.MapHealth("aggregator");
        log.LogInformation("aggregator: health on port {Port}; bus {Bus}; database {Db}", port, rabbit, postgres);
        return app;
    }
}
