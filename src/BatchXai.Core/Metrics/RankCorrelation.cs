namespace BatchXai.Core.Metrics;

/// <summary>Spearman's rank correlation: Pearson's correlation of the values' ranks, ties given their mean rank (scipy's spearmanr).</summary>
public static class RankCorrelation
{
    public static double Spearman(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"{a.Length} and {b.Length} values cannot be correlated");
        var ra = Ranks(a);
        var rb = Ranks(b);
        double meanA = ra.Average(), meanB = rb.Average(), cov = 0, va = 0, vb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            double da = ra[i] - meanA, db = rb[i] - meanB;
            cov += da * db; va += da * da; vb += db * db;
        }
        return va == 0 || vb == 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(ReadOnlySpan<float> values)
    {
        var copy = values.ToArray();
        var order = Enumerable.Range(0, copy.Length).OrderBy(i => copy[i]).ToArray();
        var ranks = new double[copy.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && copy[order[end + 1]] == copy[order[start]]) end++;
            double mean = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = mean;
            start = end + 1;
        }
        return ranks;
    }
}
