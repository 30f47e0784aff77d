using System.Text.Json;
using BatchXai.Coordinator;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Database;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Schedules;

/// <summary>
/// Schedules as Hangfire recurring jobs, one per enabled schedule, keyed by the schedule's id.
/// The schedules table is the record; at start every coordinator (re)registers what it holds,
/// which is idempotent. With the PostgreSQL storage Hangfire's scheduler takes a lock in the
/// database before it enqueues a due firing and each queued job is fetched by one server, so
/// several coordinators share the schedules and each firing happens once.
/// </summary>
public sealed class ScheduleService(ScheduleStore store, RunRequestFactory requests, IRecurringJobManager recurring, IBackgroundJobClient jobs,
    JobStorage storage, ILogger<ScheduleService> log) : IHostedService
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task StartAsync(CancellationToken ct)
    {
        var schedules = await store.AllAsync(ct);
        foreach (var schedule in schedules.Where(s => s.Enabled)) Register(schedule.Id, schedule.Cron);
        log.LogInformation("schedules: {Count} enabled of {Total}", schedules.Count(s => s.Enabled), schedules.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<ScheduleRow> CreateAsync(CreateScheduleRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) throw new RunSetupException("field 'name' is required");
        if (string.IsNullOrWhiteSpace(request.Cron)) throw new RunSetupException("field 'cron' is required");
        if (request.Run is null) throw new RunSetupException("field 'run' is required");
        requests.Create(request.Run); // the same checks a run gets, now rather than at 2 am
        if (await store.NameTakenAsync(request.Name, ct)) throw new RunSetupException($"a schedule named '{request.Name}' exists");

        var schedule = new ScheduleRow
        {
            Id = Guid.NewGuid(), Name = request.Name, Cron = request.Cron, Enabled = request.Enabled,
            RequestJson = JsonSerializer.Serialize(request.Run, Json),
        };
        // Registered before it is recorded: Hangfire is the one that reads the cron (a bad one
        // answers 400), and a firing that finds no schedule row yet does nothing. A disabled
        // schedule keeps no recurring job, only its checked cron.
        Register(schedule.Id, schedule.Cron);
        if (!schedule.Enabled) recurring.RemoveIfExists(JobIdOf(schedule.Id));
        await store.CreateAsync(schedule, ct);
        log.LogInformation("schedule {Name} ({Cron}) over {Dataset} created", schedule.Name, schedule.Cron, request.Run.Dataset);
        return schedule;
    }

    /// <summary>Fires the schedule now, as its cron would (a disabled schedule too): one job, run by whichever coordinator fetches it.</summary>
    public void TriggerNow(Guid id) => jobs.Enqueue<ScheduledRunJob>(j => j.FireAsync(id, CancellationToken.None));

    public ScheduleView View(ScheduleRow s)
    {
        DateTime? next = null;
        if (s.Enabled)
        {
            using var connection = storage.GetConnection();
            next = connection.GetRecurringJobs([JobIdOf(s.Id)]).FirstOrDefault()?.NextExecution;
        }
        return new ScheduleView(s.Id, s.Name, s.Cron, s.Enabled, JsonSerializer.Deserialize<StartRunRequest>(s.RequestJson, Json)!,
            s.LastFiredAt, s.LastRunId, s.LastOutcome, next);
    }

    private void Register(Guid id, string cron)
    {
        try
        {
            // Ignorable: a coordinator that was down at 02:00 does not start the night's run at 09:00.
            recurring.AddOrUpdate<ScheduledRunJob>(JobIdOf(id), j => j.FireAsync(id, CancellationToken.None), cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc, MisfireHandling = MisfireHandlingMode.Ignorable });
        }
        catch (ArgumentException e)
        {
            throw new RunSetupException($"field 'cron' = '{cron}' is no cron expression (five fields, or six with seconds first, e.g. \"0 0 2 * * *\"): {e.Message}");
        }
    }

    public static string JobIdOf(Guid scheduleId) => $"schedule-{scheduleId:D}";
}
