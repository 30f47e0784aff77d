using System.Collections.Specialized;
using System.Text.Json;
using BatchXai.Coordinator;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Database;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Impl;

namespace BatchXai.Distributed.Schedules;

/// <summary>
/// Hosts Quartz in the coordinator: at start every enabled schedule in the database gets a cron
/// trigger; schedules created through the API are added while running. Quartz keeps triggers in
/// memory; the database is the record, so a restarted coordinator picks its schedules up again.
/// Run one coordinator with schedules per database, or each would fire them.
/// </summary>
public sealed class ScheduleService(ScheduleStore store, RunRequestFactory requests, IServiceProvider services, ILogger<ScheduleService> log) : IHostedService
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private IScheduler? _scheduler;

    private IScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("the scheduler has not started");

    public async Task StartAsync(CancellationToken ct)
    {
        var factory = new StdSchedulerFactory(new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "batchxai-coordinator",
            ["quartz.threadPool.maxConcurrency"] = "2",
        });
        _scheduler = await factory.GetScheduler(ct);
        _scheduler.JobFactory = new ServiceProviderJobFactory(services);
        var schedules = await store.AllAsync(ct);
        foreach (var schedule in schedules.Where(s => s.Enabled)) await AddAsync(schedule, ct);
        await _scheduler.Start(ct);
        log.LogInformation("schedules: {Count} enabled of {Total}", schedules.Count(s => s.Enabled), schedules.Count);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_scheduler is not null) await _scheduler.Shutdown(waitForJobsToComplete: true, ct);
    }

    public async Task<ScheduleRow> CreateAsync(CreateScheduleRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) throw new RunSetupException("field 'name' is required");
        if (!CronExpression.IsValidExpression(request.Cron ?? ""))
            throw new RunSetupException($"field 'cron' = '{request.Cron}' is no Quartz cron expression (seconds first, e.g. \"0 0 2 * * ?\")");
        if (request.Run is null) throw new RunSetupException("field 'run' is required");
        requests.Create(request.Run); // the same checks a run gets, now rather than at 2 am
        if (await store.NameTakenAsync(request.Name, ct)) throw new RunSetupException($"a schedule named '{request.Name}' exists");

        var schedule = new ScheduleRow
        {
            Id = Guid.NewGuid(), Name = request.Name, Cron = request.Cron!, Enabled = request.Enabled,
            RequestJson = JsonSerializer.Serialize(request.Run, Json),
        };
        await store.CreateAsync(schedule, ct);
        if (schedule.Enabled) await AddAsync(schedule, ct);
        log.LogInformation("schedule {Name} ({Cron}) over {Dataset} created", schedule.Name, schedule.Cron, request.Run.Dataset);
        return schedule;
    }

    public async Task TriggerNowAsync(Guid id, CancellationToken ct)
    {
        var key = JobKeyOf(id);
        // A disabled schedule has no job yet: a manual trigger still runs it once.
        if (!await Scheduler.CheckExists(key, ct))
            await Scheduler.AddJob(JobOf(id), replace: true, storeNonDurableWhileAwaitingScheduling: true, ct);
        await Scheduler.TriggerJob(key, ct);
    }

    public async Task<ScheduleView> ViewAsync(ScheduleRow s, CancellationToken ct)
    {
        var trigger = await Scheduler.GetTrigger(new TriggerKey(s.Id.ToString("D")), ct);
        return new ScheduleView(s.Id, s.Name, s.Cron, s.Enabled, JsonSerializer.Deserialize<StartRunRequest>(s.RequestJson, Json)!,
            s.LastFiredAt, s.LastRunId, s.LastOutcome, trigger?.GetNextFireTimeUtc()?.UtcDateTime);
    }

    private async Task AddAsync(ScheduleRow schedule, CancellationToken ct)
    {
        var trigger = TriggerBuilder.Create()
            .WithIdentity(schedule.Id.ToString("D"))
            .WithCronSchedule(schedule.Cron, c => c.WithMisfireHandlingInstructionDoNothing())
            .Build();
        await Scheduler.ScheduleJob(JobOf(schedule.Id), [trigger], replace: true, ct);
    }

    private static JobKey JobKeyOf(Guid id) => new(id.ToString("D"));

    private static IJobDetail JobOf(Guid id) => JobBuilder.Create<ScheduledRunJob>().WithIdentity(JobKeyOf(id)).StoreDurably().Build();
}
