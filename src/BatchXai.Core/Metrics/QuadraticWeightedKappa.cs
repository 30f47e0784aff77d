namespace BatchXai.Core.Metrics;

/// <summary>
/// Cohen's kappa with quadratic weights (README, "Metrics"; the grading metric of DR screening, e.g.
/// APTOS 2019): κ = 1 − Σ_ij w_ij O_ij / Σ_ij w_ij E_ij, w_ij = (i − j)² / (N − 1)², O the
/// confusion matrix, E the outer product of its marginals scaled to O's total. Undefined (NaN)
/// with fewer than two classes or when E puts everything on the diagonal (one class only on both sides).
/// </summary>
public static class QuadraticWeightedKappa
{
    public static double Of(ConfusionMatrix observed)
    {
        int n = observed.Classes;
        if (n < 2 || observed.Total == 0) return double.NaN;
        var rows = new double[n];
        var columns = new double[n];
        for (int i = 0; i < n; i++) { rows[i] = observed.RowSum(i); columns[i] = observed.ColumnSum(i); }
        double total = observed.Total, weightedObserved = 0, weightedExpected = 0, scale = (double)(n - 1) * (n - 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double w = (i - j) * (i - j) / scale;
                weightedObserved += w * observed[i, j];
                weightedExpected += w * rows[i] * columns[j] / total;
            }
        return weightedExpected == 0 ? double.NaN : 1 - weightedObserved / weightedExpected;
    }
}
