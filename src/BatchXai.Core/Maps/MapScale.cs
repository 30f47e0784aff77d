namespace BatchXai.Core.Maps;

/// <summary>
/// The one rule that brings a map to a common scale for display, ROIs and class averages: divide by
/// the 99.5th percentile of its values (of |value| for signed maps), not by its maximum, so a single
/// hot pixel (common in gradient maps) saturates instead of shrinking every region to nothing.
/// Percentiles interpolate linearly between order statistics (numpy's default). The maximum is still
/// what the stored statistics report.
/// </summary>
public static class MapScale
{
    public const double Percentile = 99.5;

    /// <summary>
    /// The scale of a map: the <see cref="Percentile"/>th percentile of its finite values (of their
    /// magnitudes when <paramref name="signed"/>). When that is not positive — a map that is zero (or
    /// negative) almost everywhere — the largest value (magnitude) is used instead; 0 when there is no
    /// positive value (magnitude) at all.
    /// </summary>
    public static float Of(ReadOnlySpan<float> values, bool signed)
    {
        var sorted = new float[values.Length];
        int n = 0;
        foreach (float v in values)
            if (float.IsFinite(v)) sorted[n++] = signed ? Math.Abs(v) : v;
        if (n == 0) return 0f;
        Array.Sort(sorted, 0, n);
        float scale = (float)PercentileOfSorted(sorted.AsSpan(0, n), Percentile);
        if (!(scale > 0f)) scale = sorted[n - 1];
        return scale > 0f ? scale : 0f;
    }

    /// <summary>numpy.percentile(values, q) with its default linear interpolation, on ascending values.</summary>
    public static double PercentileOfSorted(ReadOnlySpan<float> sorted, double q)
    {
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(sorted));
        double position = q / 100.0 * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        if (below >= sorted.Length - 1) return sorted[^1];
        double fraction = position - below;
        return sorted[below] + fraction * ((double)sorted[below + 1] - sorted[below]);
    }
}
