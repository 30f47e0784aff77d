using MathNet.Numerics.Statistics;

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
        int n = 0;
        foreach (float v in values)
            if (float.IsFinite(v)) n++;
        if (n == 0) return 0f;
        var finite = new float[n];
        n = 0;
        foreach (float v in values)
            if (float.IsFinite(v)) finite[n++] = signed ? Math.Abs(v) : v;
        // Two selections instead of a sort (O(n), not O(n log n)): R7 is numpy's default linear
        // interpolation between the order statistics either side of q·(n − 1).
        float scale = ArrayStatistics.QuantileCustomInplace(finite, Percentile / 100, QuantileDefinition.R7);
        if (!(scale > 0f)) scale = ArrayStatistics.Maximum(finite);
        return scale > 0f ? scale : 0f;
    }
}
