using System.Text.Json;
using BatchXai.Storage.Database;

namespace BatchXai.Dashboard.Review;

/// <summary>What the run was asked to do, as the report states it.</summary>
public sealed record RunSettingsView(string ModelName, string ModelSha256, string ModelManifestUri, string DatasetUri, string ResultsUri,
    string[] Methods, string Target, JsonElement Options, int Expected, int Explained, int Failed, string Status,
    DateTime CreatedAt, DateTime? CompletedAt);

/// <summary>
/// Everything a reviewer looks at for one run, read once: verdicts per class, SpRAy clusters, model
/// metrics, faithfulness rankings, every finding and the settings. The dashboard's review endpoints
/// and the HTML audit report (<see cref="AuditReport"/>) both build on it.
/// </summary>
public sealed record RunReview(RunRow Run, string[] ClassNames, RunSettingsView Settings, IReadOnlyList<ClassVerdict> Verdicts,
    IReadOnlyList<ClusterSummary> Clusters, ModelMetricsSummary? ModelMetrics, IReadOnlyList<FaithfulnessRanking> Rankings,
    IReadOnlyList<FindingSummary> Findings, IReadOnlyList<ClassAggregateRow> ClassViews, bool MultiLabel)
{
    /// <summary>The folder of class <paramref name="classIndex"/>'s image maps under a method's: its finding's on a multi-label run, none otherwise.</summary>
    public string? FindingFolder(int classIndex) => Storage.Objects.ResultKeys.FindingOf(classIndex, MultiLabel, ClassNames);

    public static async Task<RunReview> ReadAsync(ResultStore store, RunRow run, CancellationToken ct)
    {
        var info = RunInfo.Of(run);
        var findings = await store.AuditFindingsAsync(run.Id, ct);
        var settings = new RunSettingsView(run.ModelName, run.ModelSha256, run.ModelManifestUri, run.DatasetUri, run.ResultsUri, info.Methods, run.Target,
            JsonDocument.Parse(string.IsNullOrWhiteSpace(run.OptionsJson) ? "{}" : run.OptionsJson).RootElement.Clone(),
            run.Expected, run.Explained, run.Failed, run.Status, Utc(run.CreatedAt), run.CompletedAt is { } done ? Utc(done) : null);
        return new RunReview(run, info.ClassNames, settings,
            ClassVerdict.Of(info.ClassNames, findings),
            ClusterSummary.Of(run.Id, await store.SprayClustersAsync(run.Id, ct), findings),
            ModelMetricsSummary.Of(info.ClassNames, await store.ModelMetricsAsync(run.Id, ct)),
            FaithfulnessRanking.Of(info.ClassNames, await store.ClassMetricsAsync(run.Id, ct)),
            findings.Select(FindingSummary.Of).OrderByDescending(f => ClassVerdict.Rank(f.Severity)).ThenBy(f => f.Method, StringComparer.Ordinal)
                .ThenBy(f => f.ClassIndex).ThenBy(f => f.Kind, StringComparer.Ordinal).ToList(),
            await store.ClassAggregatesAsync(run.Id, ct),
            await store.IsMultiLabelAsync(run.Id, ct));
    }

    /// <summary>The store writes UTC; SQLite hands it back unmarked.</summary>
    public static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
