namespace BatchXai.Core.Metrics;

/// <summary>One method's place in a ranking: its mean metric over a class's images.</summary>
public sealed record RankedMethod(string Method, double Mean, int Images);

/// <summary>
/// Methods ranked by a summarised metric within a class, best first: ascending for metrics where
/// lower is better (deletion AUC, ROAD MoRF), descending otherwise (insertion AUC, pointing game, …).
/// </summary>
public static class MethodRanking
{
    /// <summary>The metrics the run summary ranks by (issue 12: deletion AUC, insertion AUC, pointing game).</summary>
    public static readonly string[] SummaryMetrics = [ImageMetric.DeletionAuc, ImageMetric.InsertionAuc, ImageMetric.PointingHit];

    public static List<RankedMethod> Rank(string metric, IEnumerable<RankedMethod> methods)
    {
        var list = methods.ToList();
        return ImageMetric.LowerIsBetter(metric)
            ? [.. list.OrderBy(m => m.Mean).ThenBy(m => m.Method, StringComparer.Ordinal)]
            : [.. list.OrderByDescending(m => m.Mean).ThenBy(m => m.Method, StringComparer.Ordinal)];
    }
}
