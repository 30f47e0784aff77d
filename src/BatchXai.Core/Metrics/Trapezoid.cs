namespace BatchXai.Core.Metrics;

/// <summary>Area under a curve sampled at equal steps over [0, 1] by the trapezoid rule.</summary>
public static class Trapezoid
{
    public static double AreaOverUnitInterval(IReadOnlyList<double> values)
    {
        if (values.Count < 2) throw new ArgumentException($"a curve needs at least two points, got {values.Count}", nameof(values));
        double sum = 0;
        for (int k = 0; k + 1 < values.Count; k++) sum += (values[k] + values[k + 1]) / 2;
        return sum / (values.Count - 1);
    }
}
