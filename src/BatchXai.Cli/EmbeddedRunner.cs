using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Onnx.Runtime;
using BatchXai.Storage.Database;
using BatchXai.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Cli;

/// <summary>What <c>batchxai run</c> was asked to do.</summary>
public sealed record RunArguments(
    string Dataset,
    string Model,
    string Methods = "crm",
    string Out = "out",
    TargetChoice? Target = null,
    int BatchSize = 32,
    int Threads = 0,
    ProviderRequest Provider = ProviderRequest.Cpu,
    bool Json = false,
    bool Verbose = false,
    IReadOnlyDictionary<string, string>? MethodOptions = null);

/// <summary>How a run ended: the exit code, the run row when one was created, and the error for exit code 2.</summary>
public sealed record RunOutcome(int ExitCode, RunRow? Run, string? Error, string OutDir, IReadOnlyList<ClassAggregateRow>? Classes = null,
    IReadOnlyList<ModelMetricRow>? ModelMetrics = null, IReadOnlyList<ClassMetricRow>? ClassMetrics = null);

/// <summary>
/// One run on the embedded default, start to finish: host up, model loaded (a bad one stops
/// here, before anything is queued), run started, followed to completion, host down.
/// </summary>
public static class EmbeddedRunner
{
    public static async Task<RunOutcome> RunAsync(RunArguments args, Func<ResultStore, RunRow, Task<RunRow>> follow, CancellationToken ct)
    {
        var outDir = Path.GetFullPath(args.Out);
        if (!Directory.Exists(args.Dataset)) return new RunOutcome(ExitCodes.BadInput, null, $"dataset folder '{args.Dataset}' does not exist", outDir);
        var provider = ProviderChoice.Resolve(args.Provider, OrtRuntime.Shared).Provider;
        var workerOptions = new WorkerOptions { Session = new OrtSessionOptions { IntraOpThreads = args.Threads, ExecutionProvider = provider } };

        using var host = await EmbeddedHost.StartAsync(Path.Combine(outDir, "batchxai.db"), workerOptions,
            args.Verbose ? LogLevel.Information : LogLevel.Warning, ct);
        try
        {
            var methods = args.Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var request = new RunRequest(Path.GetFullPath(args.Dataset), Path.GetFullPath(args.Model), methods, outDir, (args.Target ?? TargetChoice.Predicted).Mode, args.BatchSize, args.MethodOptions,
                TargetFinding: args.Target?.Finding);
            // The coordinator checks the model, methods and options, and its preflight loads the model
            // into the worker's cache and prepares its backward graphs, before anything is queued.
            var run = await host.Services.GetRequiredService<RunCoordinator>().StartAsync(request, ct);
            var results = host.Services.GetRequiredService<ResultStore>();
            var final = await follow(results, run);
            return new RunOutcome(final.Status == RunStatus.Completed ? ExitCodes.Ok : ExitCodes.RunFailed, final, final.Error, outDir,
                await results.ClassAggregatesAsync(final.Id, ct), await results.ModelMetricsAsync(final.Id, ct), await results.ClassMetricsAsync(final.Id, ct));
        }
        catch (Exception e) when (ModelLoadErrors.IsBadInput(e))
        {
            return new RunOutcome(ExitCodes.BadInput, null, e.Message, outDir);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Follows a run without output, for callers that only want the end.</summary>
    public static Task<RunRow> Quietly(ResultStore results, RunRow run) => RunProgressView.WaitAsync(results, run, showBar: false, printLines: false, CancellationToken.None);
}
