using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// When the sweep runs: STALL_AFTER (a run with no progress for this long is stalled; default
/// 10m) and SWEEP_INTERVAL (how often to look; default 2m). Intervals like 30s, 5m or 1h.
/// Hold: how long a run the sweep helped on is left alone — the bus's whole retry budget (the
/// immediate retries at their longest, then every delayed redelivery), so what it published has
/// played out before it publishes again.
/// </summary>
public sealed record SweepSettings(TimeSpan StallAfter, TimeSpan Interval, TimeSpan Hold)
{
    public static SweepSettings From(IConfiguration config, RabbitMqSettings rabbit) => new(
        config.Interval("STALL_AFTER", TimeSpan.FromMinutes(10)),
        config.Interval("SWEEP_INTERVAL", TimeSpan.FromMinutes(2)),
        rabbit.RetryMaxInterval * rabbit.RetryLimit + rabbit.RedeliveryIntervals.Aggregate(TimeSpan.Zero, (sum, i) => sum + i));

    public override string ToString() => $"stalled after {StallAfter}, swept every {Interval}, a run helped on left alone for {Hold}";
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
                int helped = await sweeper.SweepAsync(settings.StallAfter, settings.Hold, ct);
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
