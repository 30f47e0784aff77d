using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Coordinator.Incremental;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Database;
using Microsoft.Extensions.Logging;
using Quartz;

namespace BatchXai.Distributed.Schedules;

/// <summary>
/// One firing of a schedule: an incremental run over the schedule's dataset prefix that leaves
/// out every image already explained with the same model and methods (by content hash). Skips
/// the firing while the schedule's previous run is still going, so no image is queued twice.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ScheduledRunJob(ScheduleStore schedules, ResultStore results, RunCatalog catalog, RunCoordinator coordinator,
    RunRequestFactory requests, ILogger<ScheduledRunJob> log) : IJob
{
    public async Task Execute(IJobExecutionContext context)
    {
        var ct = context.CancellationToken;
        var id = Guid.Parse(context.JobDetail.Key.Name);
        var firedAt = DateTime.UtcNow;
        if (await schedules.FindAsync(id, ct) is not { } schedule) return;
        string outcome;
        Guid? runId = null;
        try
        {
            if (schedule.LastRunId is Guid last && await results.FindRunAsync(last, ct) is { Status: RunStatus.Running or RunStatus.Aggregating } previous)
            {
                outcome = $"skipped: run {previous.Id:D} is still {previous.Status}";
            }
            else
            {
                var request = JsonSerializer.Deserialize<StartRunRequest>(schedule.RequestJson, ScheduleService.Json)!;
                var run = await coordinator.StartAsync(requests.Create(request, schedule.Id), new AlreadyExplainedFilter(catalog), ct);
                runId = run?.Id;
                outcome = run is null ? "nothing new" : $"run {run.Id:D} of {run.Expected} new images";
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = $"failed: {e.Message}";
            log.LogError(e, "schedule {Name}: firing failed", schedule.Name);
        }
        log.LogInformation("schedule {Name}: {Outcome}", schedule.Name, outcome);
        await schedules.RecordFiringAsync(id, firedAt, runId, outcome, ct);
    }
}
