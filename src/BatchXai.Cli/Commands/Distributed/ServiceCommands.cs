using System.CommandLine;
using BatchXai.Distributed.Aggregator;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Worker;
using BatchXai.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary>
/// <c>batchxai coordinator</c>, <c>worker</c> and <c>aggregator</c>: the distributed mode's
/// services, each a long-running process on RabbitMQ, PostgreSQL and S3. Settings come from
/// --config, BATCHXAI_* environment variables and these options (see README, Distributed mode).
/// </summary>
public static class ServiceCommands
{
    public static Command Coordinator() => Build("coordinator", "Run the coordinator: HTTP API, run progress, schedules",
        CoordinatorService.BuildAsync, ("--port", "COORDINATOR_PORT", "HTTP port of the API"), ("--results", "RESULTS_URI", "Default results URI, e.g. s3://batchxai/results"),
        ("--models-dir", "MODELS_DIR", "Folder where models given by name are looked up"), ("--batch-size", "BATCH_SIZE", $"Images per ExplainBatch message ({BatchXai.Coordinator.RunCoordinator.MinBatchSize}-{BatchXai.Coordinator.RunCoordinator.MaxBatchSize})"), Grace);

    public static Command Worker() => Build("worker", "Run a worker: explain ExplainBatch messages from the queue",
        WorkerService.BuildAsync, ("--port", "WORKER_PORT", "HTTP port of /health"), ("--provider", "WORKER_PROVIDER", "Execution provider: auto, cpu or cuda"),
        ("--threads", "WORKER_THREADS", "ONNX Runtime intra-op threads (0 = ORT's choice)"), ("--concurrency", "WORKER_CONCURRENCY", "Batches explained at once"),
        ("--prefetch", "WORKER_PREFETCH", "Messages fetched ahead"), ("--max-inference-batch", "WORKER_MAX_INFERENCE_BATCH", "Images per model call"), Grace);

    public static Command Aggregator() => Build("aggregator", "Run the aggregator: class-level views, reports and audit of completed runs",
        AggregatorService.BuildAsync, ("--port", "AGGREGATOR_PORT", "HTTP port of /health"), Grace);

    private static readonly (string, string, string) Grace = ("--shutdown-grace", ShutdownGrace.Setting, "Seconds to finish in-flight work after SIGTERM/SIGINT (default 30)");

    private static Command Build(string name, string description, Func<IConfiguration, CancellationToken, Task<WebApplication>> build,
        params (string Option, string Key, string Description)[] settings)
    {
        var configFile = new Option<string?>("--config") { Description = "JSON file of settings (flat keys such as RABBITMQ_HOST); BATCHXAI_<KEY> variables win over it" };
        var options = settings.Select(s => (Option: new Option<string?>(s.Option) { Description = $"{s.Description} (setting {s.Key})" }, s.Key)).ToList();
        var command = new Command(name, description) { configFile };
        foreach (var (option, _) in options) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var overrides = options.ToDictionary(o => o.Key, o => parse.GetValue(o.Option));
            try
            {
                var config = ServiceConfiguration.Build(parse.GetValue(configFile), overrides);
                await using var app = await build(config, ct);
                await app.StartAsync(ct);
                // SIGTERM/SIGINT: stop taking work, finish or release what is in flight within the grace period, exit 0.
                app.Lifetime.ApplicationStopping.Register(() => Console.Error.WriteLine($"batchxai {name}: stopping"));
                await app.WaitForShutdownAsync(ct);
                Console.Error.WriteLine($"batchxai {name}: stopped");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or InvalidOperationException or Onnx.Runtime.OrtLibraryNotFoundException)
            {
                Console.Error.WriteLine($"batchxai {name}: {e.Message}");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }
}
