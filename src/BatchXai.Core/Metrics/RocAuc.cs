namespace BatchXai.Core.Metrics;

/// <summary>
/// Area under the ROC curve of one class against the rest, as the Mann–Whitney statistic:
/// the probability that a positive scores above a negative, ties counting one half (midranks),
/// which equals the trapezoid area under the empirical ROC curve (sklearn's <c>roc_auc_score</c>).
/// NaN when the class has no positive or no negative.
/// </summary>
public static class RocAuc
{
    public static double OneVsRest(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count) throw new ArgumentException($"{scores.Count} scores for {positive.Count} labels", nameof(scores));
        int n = scores.Count;
        long positives = positive.Count(p => p), negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) end++;
            double midrank = (start + end) / 2.0 + 1; // ranks are 1-based
            for (int k = start; k <= end; k++) if (positive[order[k]]) positiveRankSum += midrank;
            start = end + 1;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }
}
