using BatchXai.Aggregator;
using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Storage.Database;
using BatchXai.Worker;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Cli;

/// <summary>
/// The embedded default: coordinator, worker and aggregator in one process on MassTransit's
/// in-memory transport, a local folder as object storage and SQLite as the database. The
/// distributed mode wires the same components to RabbitMQ, S3 and PostgreSQL.
/// </summary>
public static class EmbeddedHost
{
    public static async Task<IHost> StartAsync(string databasePath, WorkerOptions workerOptions, LogLevel logLevel, CancellationToken ct)
    {
        var openDb = await SqliteDatabase.OpenAsync(databasePath, ct);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(logLevel);
        // MassTransit's own chatter stays at warnings unless the user asks for debug output.
        builder.Logging.AddFilter("MassTransit", logLevel <= LogLevel.Debug ? logLevel : LogLevel.Warning);

        builder.Services.AddSingleton(new ResultStore(openDb));
        builder.Services.AddBatchXaiCoordinator();
        builder.Services.AddBatchXaiWorker(workerOptions);
        builder.Services.AddSingleton<IModelPreflight, CachedModelPreflight>();
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddCoordinatorConsumers();
            bus.AddWorkerConsumers(workerOptions);
            bus.AddAggregatorConsumers();
            bus.WithoutUsageTelemetry();
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.UseMessageRetry(r => r.Exponential(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
                cfg.ConfigureEndpoints(context);
            });
        });
        var host = builder.Build();
        await host.StartAsync(ct);
        return host;
    }
}
