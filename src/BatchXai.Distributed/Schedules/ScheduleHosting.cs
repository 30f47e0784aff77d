using BatchXai.Http.Headers;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchXai.Distributed.Schedules;

/// <summary>Wires Hangfire into the coordinator: its storage, a small server that fires schedules, and its dashboard.</summary>
public static class ScheduleHosting
{
    /// <summary>Firings are few and each only lists a dataset and publishes batches: two at a time is plenty.</summary>
    private const int FiringWorkers = 2;

    public static IServiceCollection AddBatchXaiSchedules(this IServiceCollection services, ScheduleSettings settings, string postgresConnection)
    {
        services.AddSingleton(settings);
        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (settings.Storage == ScheduleStorage.Memory) config.UseInMemoryStorage();
            else UsePostgres(config, postgresConnection, settings);
        });
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = FiringWorkers;
            // Also how often the recurring-job scheduler looks for due firings (seconds in a cron need it short).
            o.SchedulePollingInterval = settings.Poll;
            o.ServerName = $"coordinator-{Environment.MachineName}-{Environment.ProcessId}";
        });
        services.AddSingleton<ScheduleService>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleService>());
        return services;
    }

    /// <summary>
    /// Hangfire's storage in its own schema of the results database. Creating it installs or
    /// upgrades that schema; two coordinators starting together would race on it (duplicate-key
    /// errors in their logs), so it is created under a PostgreSQL advisory lock.
    /// </summary>
    private static void UsePostgres(IGlobalConfiguration config, string connectionString, ScheduleSettings settings)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = ScheduleSettings.Schema,
            QueuePollInterval = settings.Poll,
            PrepareSchemaIfNecessary = true,
        };
        using var guard = new NpgsqlConnection(connectionString);
        guard.Open();
        using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({InstallLockKey})", guard)) lockCommand.ExecuteNonQuery();
        config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), options); // the storage (and its schema) is made here
        // Closing the guard connection releases the lock.
    }

    /// <summary>The advisory lock that serialises Hangfire's schema installation (any constant no other BatchXai code locks).</summary>
    private const long InstallLockKey = 0x42_58_41_49_48_46; // "BXAIHF"

    /// <summary>
    /// Hangfire's dashboard at <see cref="ScheduleSettings.DashboardPath"/>. It sits behind the
    /// coordinator's own access check (the API key or basic auth, as every API route), so its
    /// filter lets through every request that got this far; Hangfire's default would refuse all
    /// but local requests.
    /// </summary>
    public static void MapScheduleDashboard(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ScheduleSettings.DashboardPath), dashboard => dashboard.Use((context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = DashboardContentSecurityPolicy;
            return next(context);
        }));
        app.UseHangfireDashboard(ScheduleSettings.DashboardPath, new DashboardOptions
        {
            Authorization = [new PassedAccessCheck()],
            DashboardTitle = "BatchXai schedules",
            // No deleting or re-queuing of jobs from the page: schedules are changed through /schedules.
            IsReadOnlyFunc = _ => true,
        });
    }

    /// <summary>
    /// The content security policy of Hangfire's pages (under <see cref="ScheduleSettings.DashboardPath"/> only; every
    /// other answer keeps <see cref="SecurityHeaders.ContentSecurityPolicy"/>). Under the API's policy Chromium blocked two
    /// things on Hangfire 1.8.25's overview: the style element its Chart.js 2 inserts (admitted here by its SHA-256, not
    /// by 'unsafe-inline'), and the layout's empty <c>data:</c> favicon (img-src data:). Scripts stay Hangfire's own files
    /// ('self'). A Hangfire upgrade that changes that style element shows up in HangfireDashboardBrowserTests.
    /// </summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg='; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private sealed class PassedAccessCheck : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}
