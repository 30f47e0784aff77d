using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchXai.Http;

/// <summary>
/// How long a service may take to stop after SIGTERM or SIGINT (<c>docker stop</c>, a k8s rolling
/// update, Ctrl+C): it stops accepting work at once, then finishes (or releases) what is in flight
/// within the grace period and exits 0. Setting SHUTDOWN_GRACE_SECONDS (environment
/// BATCHXAI_SHUTDOWN_GRACE_SECONDS), default 30 s; keep it below the orchestrator's own limit
/// (k8s terminationGracePeriodSeconds, docker stop -t).
/// </summary>
public static class ShutdownGrace
{
    public const string Setting = "SHUTDOWN_GRACE_SECONDS";
    public const string Variable = "BATCHXAI_" + Setting;
    public const int DefaultSeconds = 30, MaxSeconds = 3600;

    /// <summary>The host stops its listeners and hosted services (the bus among them) within the grace period.</summary>
    public static void Apply(IServiceCollection services, TimeSpan grace) => services.Configure<HostOptions>(o => o.ShutdownTimeout = grace);

    /// <summary>BATCHXAI_SHUTDOWN_GRACE_SECONDS, for commands that read no configuration file (serve).</summary>
    public static TimeSpan FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable), Variable);

    /// <summary>Whole seconds in 1..3600; empty is the default.</summary>
    public static TimeSpan Parse(string? seconds, string source)
    {
        if (string.IsNullOrWhiteSpace(seconds)) return TimeSpan.FromSeconds(DefaultSeconds);
        return int.TryParse(seconds, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int s) && s is >= 1 and <= MaxSeconds
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{source} = '{seconds}': expected whole seconds in 1..{MaxSeconds}");
    }
}
