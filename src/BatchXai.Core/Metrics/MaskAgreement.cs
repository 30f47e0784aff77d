using BatchXai.Core.Maps;

namespace BatchXai.Core.Metrics;

/// <summary>
/// How a map agrees with a user's ground-truth mask (README, "Metrics"), both at model-input size:
/// the pointing game (the map's maximum falls in the mask dilated by a tolerance), the energy
/// inside the mask (Σ max(map, 0) inside / Σ max(map, 0)), and the IoU of the map's ROI
/// (the stored ROI of <see cref="RoiStats"/>: values ≥ 20% of the map's 99.5th-percentile scale) with the mask.
/// </summary>
public static class MaskAgreement
{
    /// <summary>Zhang et al. 2016's pointing-game tolerance: 15 pixels (at their 224-px input).</summary>
    public const int DefaultTolerance = 15;

    /// <summary>1 when the first pixel at the map's maximum is within <paramref name="tolerance"/> pixels (Euclidean) of a mask pixel, else 0.</summary>
    public static double PointingHit(ExplanationMap map, bool[] mask, int tolerance = DefaultTolerance)
    {
        int peak = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(map.Values);
        int py = peak / map.Width, px = peak % map.Width;
        for (int dy = -tolerance; dy <= tolerance; dy++)
            for (int dx = -tolerance; dx <= tolerance; dx++)
            {
                int y = py + dy, x = px + dx;
                if (y >= 0 && x >= 0 && y < map.Height && x < map.Width && dx * dx + dy * dy <= tolerance * tolerance && mask[y * map.Width + x]) return 1;
            }
        return 0;
    }

    /// <summary>Share of the map's positive mass inside the mask; NaN for a map with no positive value.</summary>
    public static double EnergyInside(ExplanationMap map, bool[] mask)
    {
        double inside = 0, total = 0;
        for (int i = 0; i < map.Values.Length; i++)
        {
            double v = Math.Max(0f, map.Values[i]);
            total += v;
            if (mask[i]) inside += v;
        }
        return total > 0 ? inside / total : double.NaN;
    }

    /// <summary>|ROI ∩ mask| / |ROI ∪ mask|, ROI = values ≥ threshold × the map's scale (<see cref="MapScale"/>; of |map| when
    /// <paramref name="signed"/>); NaN when both are empty.</summary>
    public static double RoiIou(ExplanationMap map, bool[] mask, bool signed, float threshold = RoiStats.DefaultThreshold)
    {
        float scale = map.Scale(signed);
        bool anyRoi = scale > 0 && float.IsFinite(scale);
        long intersection = 0, union = 0;
        for (int i = 0; i < map.Values.Length; i++)
        {
            bool roi = anyRoi && map.Values[i] >= threshold * scale;
            if (roi && mask[i]) intersection++;
            if (roi || mask[i]) union++;
        }
        return union == 0 ? double.NaN : (double)intersection / union;
    }
}
