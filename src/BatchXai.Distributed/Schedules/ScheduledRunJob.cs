using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Coordinator.Incremental;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Database;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Schedules;

/// <summary>
/// One firing of a schedule (a Hangfire job): an incremental run over the schedule's dataset
/// prefix that leaves out every image already explained with the same model and methods (by
/// content hash). Skips the firing while the schedule's previous run is still going, or while
/// another firing of the same schedule is starting one, so no image is queued twice.
/// </summary>
public sealed class ScheduledRunJob(ScheduleStore schedules, ResultStore results, RunCatalog catalog, RunCoordinator coordinator,
    RunRequestFactory requests, JobStorage storage, ILogger<ScheduledRunJob> log)
{
    /// <summary>How long a firing waits for another firing of its schedule (a manual trigger beside the cron) before it skips.</summary>
    private static readonly TimeSpan FiringLockWait = TimeSpan.FromSeconds(5);

    // No Hangfire retries: a failed firing is recorded on the schedule; the next one tries again.
    [AutomaticRetry(Attempts = 0)]
    public async Task FireAsync(Guid scheduleId, CancellationToken ct)
    {
        var firedAt = DateTime.UtcNow;
        if (await schedules.FindAsync(scheduleId, ct) is not { Name: var name }) return;
        IDisposable firing;
        using var connection = storage.GetConnection();
        try
        {
            firing = connection.AcquireDistributedLock($"batchxai:schedule:{scheduleId:D}", FiringLockWait);
        }
        catch (Exception e) when (e is DistributedLockTimeoutException or Hangfire.PostgreSql.PostgreSqlDistributedLockException)
        {
            await RecordAsync(scheduleId, name, firedAt, null, "skipped: another firing of this schedule is starting its run", ct);
            return;
        }
        // The schedule is read again, and the firing recorded, under the lock: the next firing sees this one's run.
        using (firing)
        {
            if (await schedules.FindAsync(scheduleId, ct) is not { } schedule) return;
            var (outcome, runId) = await StartAsync(schedule, ct);
            await RecordAsync(scheduleId, name, firedAt, runId, outcome, ct);
        }
    }

    private async Task RecordAsync(Guid scheduleId, string name, DateTime firedAt, Guid? runId, string outcome, CancellationToken ct)
    {
        log.LogInformation("schedule {Name}: {Outcome}", name, outcome);
        await schedules.RecordFiringAsync(scheduleId, firedAt, runId, outcome, ct);
    }

    private async Task<(string Outcome, Guid? RunId)> StartAsync(ScheduleRow schedule, CancellationToken ct)
    {
        try
        {
            if (schedule.LastRunId is Guid last && await results.FindRunAsync(last, ct) is { Status: RunStatus.Running or RunStatus.Aggregating } previous)
                return ($"skipped: run {previous.Id:D} is still {previous.Status}", null);
            var request = JsonSerializer.Deserialize<StartRunRequest>(schedule.RequestJson, ScheduleService.Json)!;
            var run = await coordinator.StartAsync(requests.Create(request, schedule.Id), new AlreadyExplainedFilter(catalog), ct);
            return run is null ? ("nothing new", null) : ($"run {run.Id:D} of {run.Expected} new images", run.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "schedule {Name}: firing failed", schedule.Name);
            return ($"failed: {e.Message}", null);
        }
    }
}
