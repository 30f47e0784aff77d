namespace BatchXai.Storage.Database;

/// <summary>
/// A recurring run (distributed mode): every time its cron fires (a Hangfire recurring job), the coordinator starts
/// an incremental run of <see cref="RequestJson"/> over the images not yet explained with the
/// same model and methods (by content hash).
/// </summary>
public sealed class ScheduleRow
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Cron expression in UTC (five fields, or six with seconds first), e.g. "0 0 2 * * *" for 02:00 every night.</summary>
    public string Cron { get; set; } = "";
    /// <summary>The run request as JSON: dataset URI (a prefix), model, methods, options.</summary>
    public string RequestJson { get; set; } = "{}";
    public bool Enabled { get; set; } = true;
    public DateTime? LastFiredAt { get; set; }
    public Guid? LastRunId { get; set; }
    /// <summary>What the last firing did: "run &lt;id&gt; of N new images", "nothing new", or the error.</summary>
    public string? LastOutcome { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
