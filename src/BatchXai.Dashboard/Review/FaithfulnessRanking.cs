using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;

namespace BatchXai.Dashboard.Review;

/// <summary>One method's place for one metric: its mean over the images (± std), and its rank (1 = most faithful).</summary>
public sealed record RankedMethod(int Rank, string Method, double? Mean, double? Std, int Images);

/// <summary>
/// Methods ranked by one faithfulness or localisation metric over one class's images (class −1: every
/// image), best first: ascending where a smaller value is more faithful (deletion AUC, ROAD MoRF),
/// else descending. Methods without a value come last, unranked (rank 0).
/// </summary>
public sealed record FaithfulnessRanking(string Metric, int ClassIndex, string? ClassName, bool LowerIsBetter, IReadOnlyList<RankedMethod> Methods)
{
    public const int AllImages = -1;

    /// <summary>A ranking per metric and class, from the class_metrics rows (the randomisation steps, metric@k, excluded: they are not a ranking).</summary>
    public static IReadOnlyList<FaithfulnessRanking> Of(string[] classNames, IReadOnlyList<ClassMetricRow> rows) =>
        rows.Where(r => !r.Metric.Contains('@'))
            .GroupBy(r => (r.Metric, r.ClassIndex))
            .OrderBy(g => g.Key.ClassIndex).ThenBy(g => g.Key.Metric, StringComparer.Ordinal)
            .Select(g =>
            {
                bool lower = ImageMetric.LowerIsBetter(g.Key.Metric);
                var valued = g.Where(r => r.Mean is double m && double.IsFinite(m)).OrderBy(r => lower ? r.Mean : -r.Mean).ThenBy(r => r.Method, StringComparer.Ordinal)
                    .Select((r, i) => new RankedMethod(i + 1, r.Method, r.Mean, r.Std, r.ImageCount));
                var missing = g.Where(r => r.Mean is not double m || !double.IsFinite(m)).OrderBy(r => r.Method, StringComparer.Ordinal)
                    .Select(r => new RankedMethod(0, r.Method, null, null, r.ImageCount));
                string? name = g.Key.ClassIndex >= 0 && g.Key.ClassIndex < classNames.Length ? classNames[g.Key.ClassIndex] : null;
                return new FaithfulnessRanking(g.Key.Metric, g.Key.ClassIndex, name, lower, valued.Concat(missing).ToList());
            }).ToList();
}
