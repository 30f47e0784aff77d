using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Schedules;

/// <summary>Where schedules keep their recurring jobs: in the results database (every coordinator shares them) or in this process's memory.</summary>
public enum ScheduleStorage { Postgres, Memory }

/// <summary>
/// SCHEDULES_STORAGE: <c>postgres</c> (default: Hangfire's own schema in the results database, so
/// several coordinators share the schedules and each firing happens once) or <c>memory</c> (one
/// coordinator, nothing kept across restarts but the schedules table it re-registers from).
/// SCHEDULE_POLL: how often a coordinator looks for due firings and queued jobs (default 5s; a
/// cron with seconds fires at most this late).
/// </summary>
public sealed record ScheduleSettings(ScheduleStorage Storage, TimeSpan Poll)
{
    /// <summary>The PostgreSQL schema Hangfire's tables live in, beside the results tables.</summary>
    public const string Schema = "hangfire";

    /// <summary>Where Hangfire's dashboard is mounted on the coordinator (behind the API's access check).</summary>
    public const string DashboardPath = "/hangfire";

    public static ScheduleSettings From(IConfiguration config)
    {
        var storage = config.Text("SCHEDULES_STORAGE") switch
        {
            null or "postgres" => ScheduleStorage.Postgres,
            "memory" => ScheduleStorage.Memory,
            var other => throw new ArgumentException(
                $"setting SCHEDULES_STORAGE (environment {ServiceConfiguration.EnvironmentPrefix}SCHEDULES_STORAGE) = '{other}': expected postgres or memory"),
        };
        return new ScheduleSettings(storage, config.Interval("SCHEDULE_POLL", TimeSpan.FromSeconds(5)));
    }

    public override string ToString() => Storage == ScheduleStorage.Postgres
        ? $"Hangfire on PostgreSQL (schema {Schema}), polled every {Poll}"
        : $"Hangfire in memory, polled every {Poll}";
}
