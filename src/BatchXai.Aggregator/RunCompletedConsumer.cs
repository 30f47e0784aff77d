using BatchXai.Aggregator.Audit;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Storage;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Aggregator;

/// <summary>
/// When a run's images are all accounted for: build the class-level views, the CSV reports and
/// the artefact audit, then mark the run completed. Running it twice for a run gives the same rows and files.
/// </summary>
/// <param name="probes">The run's model for the audit's causal check; without one (a host that cannot load models) the check is skipped.</param>
public sealed class RunCompletedConsumer(ResultStore results, ILogger<RunCompletedConsumer> log, IObjectStoreFactory stores, IModelProbeSource? probes = null,
    AggregatorHooks? hooks = null)
    : IConsumer<RunCompleted>
{
    public async Task Consume(ConsumeContext<RunCompleted> context)
    {
        var ct = context.CancellationToken;
        var runId = context.Message.RunId;
        var run = await results.FindRunAsync(runId, ct) ?? throw new InvalidOperationException($"run {runId} is not in the database");
        try
        {
            // The run's class selection (set by the coordinator: correct with labels, else predicted).
            var selection = RunInfo.Of(run).ClassSelection;
            // One pass over the stored maps feeds the class views, CLEAR's dominance, SpRAy and the audit
            // (which reads the views' ROI boxes and SpRAy's findings, so finishes last).
            var spray = new SprayCollector(results, run);
            await new RunMapPass(results, selection, stores).RunAsync(run,
            [
                new ClassViewBuilder(results, selection, stores).Start(run),
                new ClassDominanceBuilder(results, selection, stores).Start(run),
                spray,
                await new ArtefactAuditor(results, selection: selection, stores: stores, probes: probes).StartAsync(run, spray, ct),
            ], ct);
            if (hooks?.AfterClassViews is { } afterClassViews) await afterClassViews(runId);
            await new RunReportWriter(results, stores).WriteAsync(run, ct);
            await new Metrics.RunMetricsWriter(results, stores).WriteAsync(run, ct);
        }
        // A database or store outage is not the run's failure: the message is retried (later, if need be).
        catch (Exception e) when (e is not OperationCanceledException && !TransientFaults.IsTransient(e))
        {
            log.LogError(e, "run {Run}: aggregation failed", runId);
            await results.TryTransitionAsync(runId, RunStatus.Aggregating, RunStatus.Failed, $"aggregation failed: {e.Message}", ct);
            return;
        }
        await results.TryTransitionAsync(runId, RunStatus.Aggregating, RunStatus.Completed, ct: ct);
        log.LogInformation("run {Run}: class-level views written; completed", runId);
    }
}
