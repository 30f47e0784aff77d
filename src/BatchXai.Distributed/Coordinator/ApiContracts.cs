using BatchXai.Coordinator;
using BatchXai.Storage.Database;

namespace BatchXai.Distributed.Coordinator;

// The coordinator's HTTP API, as JSON (camelCase). Shared by the server and the CLI client.

/// <summary>POST /runs: explain this dataset with this model and these methods.</summary>
/// <param name="Dataset">Dataset URI: s3://bucket/prefix, or a folder the workers can read.</param>
/// <param name="Model">s3:// manifest URI (or model folder), a model name looked up in MODELS_DIR then MODELS_URI, or a manifest path on a volume every worker mounts.</param>
/// <param name="Options">Method options by name, e.g. "ig-steps": "16".</param>
public sealed record StartRunRequest(
    string Dataset,
    string Model,
    IReadOnlyList<string>? Methods = null,
    string? Results = null,
    string? Target = null,
    int? BatchSize = null,
    Dictionary<string, string>? Options = null);

/// <summary>A run with its counts and progress (explained + failed over expected).</summary>
public sealed record RunView(
    Guid Id, string Status, string Dataset, string Model, string ModelSha256, IReadOnlyList<string> Methods, string Target, string Results,
    int Expected, int Explained, int Failed, double Progress, string? Error, RunOptions Options, Guid? ScheduleId,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? CompletedAt)
{
    public static RunView Of(RunRow r) => new(
        r.Id, r.Status, r.DatasetUri, r.ModelName, r.ModelSha256, RunInfo.Of(r).Methods, r.Target, r.ResultsUri,
        r.Expected, r.Explained, r.Failed, r.Expected == 0 ? 1 : Math.Round((double)(r.Explained + r.Failed) / r.Expected, 4), r.Error,
        RunOptions.Of(r), r.ScheduleId, r.CreatedAt, r.UpdatedAt, r.CompletedAt);
}

/// <summary>An image of a run that could not be explained, and why.</summary>
public sealed record FailureView(string ImageKey, string Stage, string Error);

/// <summary>POST /schedules: start an incremental run of <paramref name="Run"/> whenever <paramref name="Cron"/> fires.</summary>
/// <param name="Cron">Cron in UTC, five fields or six with seconds first, e.g. "0 0 2 * * *" for 02:00 every night (Hangfire's Cronos syntax; "?" reads as "*").</param>
public sealed record CreateScheduleRequest(string Name, string Cron, StartRunRequest Run, bool Enabled = true);

public sealed record ScheduleView(Guid Id, string Name, string Cron, bool Enabled, StartRunRequest Run, DateTime? LastFiredAt, Guid? LastRunId,
    string? LastOutcome, DateTime? NextFireAt);

/// <summary>The body of every 4xx/5xx answer.</summary>
public sealed record ApiError(string Error);
