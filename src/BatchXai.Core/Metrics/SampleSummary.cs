namespace BatchXai.Core.Metrics;

/// <summary>Count, mean and population standard deviation of a sample (null mean/std when empty).</summary>
public sealed record SampleSummary(int Count, double? Mean, double? Std)
{
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new SampleSummary(0, null, null);
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return new SampleSummary(values.Count, mean, Math.Sqrt(variance));
    }
}
