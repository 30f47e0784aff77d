using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Hosting;
using BatchXai.Distributed.Schedules;
using BatchXai.Http;
using BatchXai.Http.Access;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// <c>batchxai coordinator</c>: the HTTP API that starts runs, the consumers that track their
/// progress (and fail the images of poison batches), and the schedules (Hangfire recurring jobs).
/// </summary>
public static class CoordinatorService
{
    public static async Task<WebApplication> BuildAsync(IConfiguration config, CancellationToken ct)
    {
        var settings = CoordinatorSettings.From(config);
        var access = CoordinatorAccess.From(config);
        ListenAddress.Checked(ServiceHost.BindAddress(config), access, CoordinatorAccess.Variables);
        var rabbit = RabbitMqSettings.From(config);
        var postgres = PostgresSettings.From(config);
        var log = ServiceHost.StartupLog("coordinator");
        var openDb = await ServiceHost.OpenDatabaseAsync(postgres, log, ct);

        var builder = ServiceHost.CreateBuilder("coordinator", config, settings.Port);
        builder.Services.AddResultsDatabase(openDb);
        builder.Services.AddSingleton(settings);
        var limits = RequestLimits.From(config, settings);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton(rabbit);
        builder.Services.AddSingleton<RunRequestFactory>();
        builder.Services.AddSingleton<ErrorQueueReader>();
        builder.Services.AddHostedService<QueueDepthMonitor>();
        var sweep = SweepSettings.From(config, rabbit);
        builder.Services.AddSingleton(sweep);
        builder.Services.AddHostedService<RunSweepService>();
        builder.Services.AddFaultTestHooks(config);
        var schedules = ScheduleSettings.From(config);
        builder.Services.AddBatchXaiSchedules(schedules, postgres.ConnectionString);
        builder.Services.AddBatchXaiCoordinator();
        // Workers run elsewhere: load each model here once, on the CPU, to refuse one that cannot serve a run.
        builder.Services.AddSingleton<IModelPreflight>(new StandaloneModelPreflight(new BatchXai.Worker.WorkerOptions()));
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddCoordinatorConsumers();
            bus.UsingBatchXaiRabbitMq(rabbit);
        });

        var app = builder.Build();
        app.UseBatchXaiSecurity(access);
        app.MapHealth("coordinator");
        app.MapCoordinatorApi();
        app.MapScheduleDashboard();
        log.LogInformation("coordinator: API on port {Port}, access {Access}; bus {Bus}; database {Db}; results default {Results}; batch size {Batch}; " +
            "models by name from {ModelsDir} then {ModelsUri}; requests may name results in {AllowedResults}, models in {AllowedModels}, datasets in {AllowedDatasets}",
            settings.Port, access, rabbit, postgres, settings.ResultsUri, settings.BatchSize, settings.ModelsDir ?? "(no MODELS_DIR)", settings.ModelsUri ?? "(no MODELS_URI)",
            limits.Results, limits.Models, limits.Datasets);
        log.LogInformation("coordinator: runs {Sweep}; delayed redelivery after {Intervals}; schedules on {Schedules}, dashboard at {Dashboard}",
            sweep, string.Join(", ", rabbit.RedeliveryIntervals), schedules, ScheduleSettings.DashboardPath);
        return app;
    }
}
