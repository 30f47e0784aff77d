using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// When the sweep runs: STALL_AFTER (a run with no progress for this long is stalled; default
/// 10m) and SWEEP_INTERVAL (how often to look; default 2m). Intervals like 30s, 5m or 1h.
/// </summary>
public sealed record SweepSettings(TimeSpan StallAfter, TimeSpan Interval)
{
    public static SweepSettings From(IConfiguration config) => new(
        config.Interval("STALL_AFTER", TimeSpan.FromMinutes(10)),
        config.Interval("SWEEP_INTERVAL", TimeSpan.FromMinutes(2)));

    public override string ToString() => $"stalled after {StallAfter}, swept every {Interval}";
}

/// <summary>
/// Runs the <see cref="RunSweeper"/> at coordinator start and then every interval. Several
/// coordinators may sweep the same database: what they publish is idempotent work.
/// </summary>
public sealed class RunSweepService(RunSweeper sweeper, SweepSettings settings, ILogger<RunSweepService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                int helped = await sweeper.SweepAsync(settings.StallAfter, ct);
                if (helped > 0) log.LogInformation("sweep: {Runs} stalled run(s) helped on", helped);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or the broker may be down: the next sweep tries again.
                log.LogWarning("sweep failed: {Error}", e.Message);
            }
            await Task.Delay(settings.Interval, ct);
        }
    }
}
