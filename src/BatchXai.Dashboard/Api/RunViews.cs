using System.Text.Json;
using BatchXai.Storage.Database;

namespace BatchXai.Dashboard.Api;

/// <summary>Rows as the API shows them, and the URLs of a run's files.</summary>
public static class RunViews
{
    public static string[] Methods(RunRow run) => RunInfo.Of(run).Methods;

    public static string[] ClassNames(RunRow run) => RunInfo.Of(run).ClassNames;

    public static string? ClassName(string[] names, int? index) => index is int i && i >= 0 && i < names.Length ? names[i] : null;

    public static RunSummary Summary(RunRow r) => new(r.Id, r.Status, r.ModelName, r.DatasetUri, Methods(r), r.Target,
        r.Expected, r.Explained, r.Failed, r.Expected == 0 ? 0 : Math.Min(1, (double)(r.Explained + r.Failed) / r.Expected),
        Utc(r.CreatedAt), Utc(r.UpdatedAt), r.CompletedAt is { } done ? Utc(done) : null, r.Error);

    /// <summary>The store writes UTC; SQLite hands it back unmarked, which JSON would show as local time.</summary>
    public static DateTime Utc(DateTime t) => Review.RunReview.Utc(t);

    /// <summary>A stored object of the run, by its key relative to the run folder.</summary>
    public static string FileUrl(Guid runId, string relativeKey) =>
        $"/api/runs/{runId:D}/files/{string.Join('/', relativeKey.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>An image's overlay by one method; <paramref name="finding"/> (<see cref="Storage.Objects.ResultKeys.FindingOf(int, bool, IReadOnlyList{string})"/>)
    /// picks a multi-label run's map of one finding.</summary>
    public static string OverlayUrl(Guid runId, string method, string imageKey, string? finding) =>
        FileUrl(runId, Relative(runId, Storage.Objects.ResultKeys.ImageOverlay(runId, method, imageKey, finding)));

    public static string OriginalUrl(Guid runId, string imageKey) => $"/api/runs/{runId:D}/original?key={Uri.EscapeDataString(imageKey)}";

    /// <summary>The key relative to the run folder of a key the workers or aggregator wrote.</summary>
    public static string Relative(Guid runId, string key) => key[(runId.ToString("D").Length + 1)..];
}
