using BatchXai.Http.Access;

namespace BatchXai.Dashboard;

/// <summary>What the dashboard reads and where it listens.</summary>
public sealed class DashboardOptions
{
    /// <summary>A SQLite file path, or a PostgreSQL connection string (keywords, e.g. "Host=...;Database=...").</summary>
    public required string Database { get; init; }

    /// <summary>Results store (local folder, file:// or s3:// URI) to read maps from; null uses each run's own results URI.</summary>
    public string? StoreUri { get; init; }

    /// <summary>Loopback by default: the dashboard is exposed only when asked to.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 5080;

    public ApiAccess Access { get; init; } = ApiAccess.None;

    /// <summary>How long requests in flight may take to finish once the dashboard is told to stop.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(Http.ShutdownGrace.DefaultSeconds);
}
