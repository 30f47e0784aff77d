using System.Text.Json;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Review;

/// <summary>
/// One SpRAy cluster of a class's maps (a spray_clusters row) as the reviewer compares it with its
/// neighbours: its numbers, where its mean-map picture lies (key relative to the run folder), its
/// members nearest the mean first, and every finding that names it (evidence "cluster": n) — the
/// SpRAy candidate warning and, where the audit measured it, the masking result of the cluster's region.
/// </summary>
public sealed record ClusterSummary(string Method, int ClassIndex, string ClassName, int ClusterIndex, int ClusterCount, int ClassImageCount,
    int Size, double Eigengap, double Spread, double DistanceToMain, bool Candidate, string MeanMapKey, IReadOnlyList<string> Members,
    IReadOnlyList<FindingSummary> Findings)
{
    /// <summary>The clusters of a run, method then class then cluster order, each with the findings that name it.</summary>
    public static IReadOnlyList<ClusterSummary> Of(Guid runId, IReadOnlyList<SprayClusterRow> rows, IReadOnlyList<AuditFindingRow> findings)
    {
        var named = findings.Select(FindingSummary.Of).Where(f => ClusterOf(f) is not null).ToList();
        return rows.OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.ClassIndex).ThenBy(r => r.ClusterIndex)
            .Select(r => new ClusterSummary(r.Method, r.ClassIndex, r.ClassName, r.ClusterIndex, r.ClusterCount, r.ClassImageCount, r.Size,
                r.Eigengap, r.Spread, r.DistanceToMain, r.Candidate,
                ResultKeys.SprayClusterStem(runId, r.Method, r.ClassIndex, r.ClassName, r.ClusterIndex)[(ResultKeys.RunFolder(runId).Length + 1)..] + ".png",
                JsonSerializer.Deserialize<string[]>(r.MembersJson) ?? [],
                named.Where(f => f.Method == r.Method && f.ClassIndex == r.ClassIndex && ClusterOf(f) == r.ClusterIndex)
                    .OrderByDescending(f => ClassVerdict.Rank(f.Severity)).ThenBy(f => f.Kind, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    private static int? ClusterOf(FindingSummary f) =>
        f.Evidence.ValueKind == JsonValueKind.Object && f.Evidence.TryGetProperty("cluster", out var c) && c.TryGetInt32(out int n) ? n : null;
}
