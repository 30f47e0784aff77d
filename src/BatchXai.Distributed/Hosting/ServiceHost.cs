using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using BatchXai.Storage;
using BatchXai.Http;
using BatchXai.Core.Telemetry;
using BatchXai.Http.Access;
using BatchXai.Storage.Database;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BatchXai.Distributed.Hosting;

/// <summary>
/// What every distributed service shares: settings, one-line console logs, an HTTP listener
/// (API or /health), the PostgreSQL results database with its migrations applied, and the bus settings.
/// </summary>
public static class ServiceHost
{
    public const string BindSetting = "HTTP_BIND";

    /// <summary>HTTP_BIND: loopback unless told otherwise (containers set HTTP_BIND=0.0.0.0).</summary>
    public static string BindAddress(IConfiguration config) => config.Text(BindSetting) ?? ListenAddress.Loopback;

    /// <summary>The ActivitySource MassTransit's send, publish and consume spans are made on.</summary>
    public const string MassTransitActivitySource = "MassTransit";

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT (the standard variable) or the OTLP_ENDPOINT setting: where traces go; none when unset.</summary>
    public static Uri? OtlpEndpoint(IConfiguration config) =>
        (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } standard ? standard : config.Text("OTLP_ENDPOINT")) is { } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"OTLP endpoint '{text}' is no absolute URI (e.g. http://collector:4317)")
            : null;

    public static WebApplicationBuilder CreateBuilder(string service, IConfiguration config, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = $"batchxai-{service}" });
        builder.Configuration.AddConfiguration(config);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        foreach (var chatty in new[] { "MassTransit", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.Hosting", "Hangfire" })
            builder.Logging.AddFilter(chatty, LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{BindAddress(config)}:{port}");
        builder.Services.AddHealthChecks();
        // Every instrument on the BatchXai meter, served at GET /metrics in Prometheus' text format.
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"batchxai-{service}"))
            .WithMetrics(m => m.AddMeter(PipelineMeter.Name).AddPrometheusExporter());
        // Traces only when an OTLP endpoint is configured; otherwise nothing listens and no span is made.
        // MassTransit's source carries the trace in each message's headers: one batch is one trace,
        // from the coordinator's publish through the worker (its stages as BatchXai spans) to the
        // coordinator's progress consumer and, for a run's last batch, the aggregator.
        if (OtlpEndpoint(config) is { } otlp)
            telemetry.WithTracing(t => t.AddSource(MassTransitActivitySource, PipelineActivity.Name).AddOtlpExporter(o => o.Endpoint = otlp));
        var grace = ShutdownGrace.Parse(config.Text(ShutdownGrace.Setting), $"setting {ShutdownGrace.Setting}");
        ShutdownGrace.Apply(builder.Services, grace);
        // On SIGTERM the bus stops taking messages; consumers in flight get most of the grace period
        // to finish. Past it their cancellation token fires: a cancelled batch is not acknowledged,
        // so the broker hands it to another worker (its rows are upserts: nothing lost or doubled).
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.StopTimeout = grace;
            o.ConsumerStopTimeout = grace * 0.8;
        });
        return builder;
    }

    /// <summary>Opens the database (applying migrations), waiting for it to come up when it is still starting.</summary>
    public static async Task<Func<ResultsDb>> OpenDatabaseAsync(PostgresSettings settings, ILogger log, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await PostgresDatabase.OpenAsync(settings.ConnectionString, ct);
            }
            catch (Exception e) when (attempt < 30 && TransientFaults.IsTransient(e))
            {
                log.LogWarning("database {Db} not reachable yet ({Error}); retrying", settings, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    public static void AddResultsDatabase(this IServiceCollection services, Func<ResultsDb> openDb)
    {
        services.AddSingleton(new ResultStore(openDb));
        services.AddSingleton(new RunCatalog(openDb));
        services.AddSingleton(new ScheduleStore(openDb));
    }

    /// <summary>
    /// GET /health: 200 with the checks (the bus among them) when healthy, 503 otherwise; and
    /// GET /metrics: the service's metrics in Prometheus' text format (both open, like a probe).
    /// </summary>
    public static void MapHealth(this WebApplication app, string service, Func<object>? details = null)
    {
        app.MapPrometheusScrapingEndpoint(AccessCheck.MetricsPath);
        app.MapGet("/health", async (HealthCheckService health, CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(ct);
            var body = new
            {
                service,
                status = report.Status.ToString().ToLowerInvariant(),
                checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
                details = details?.Invoke(),
            };
            return Results.Json(body, statusCode: report.Status == HealthStatus.Unhealthy ? 503 : 200);
        });
    }

    public static ILogger StartupLog(string service) =>
        LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })).CreateLogger($"batchxai.{service}");
}
