namespace BatchXai.Core.Maps;

/// <summary>
/// Per-image statistics of a map at input resolution (CRM paper §4.2 and Table 3): the raw
/// maximum and mean, and the region of interest — pixels at or above <see cref="Threshold"/> of
/// the maximum — as a pixel count, a ratio of the image area and a bounding box.
/// </summary>
public sealed record RoiStats(float Max, float Mean, float Threshold, int RoiPixels, double RoiRatio, BoundingBox RoiBox)
{
    /// <summary>The CRM paper shows and counts values ≥ 20% of the map's maximum.</summary>
    public const float DefaultThreshold = 0.2f;

    public static RoiStats Compute(ExplanationMap inputSizeMap, float threshold = DefaultThreshold)
    {
        float max = inputSizeMap.Max();
        float mean = inputSizeMap.Mean();
        if (!(max > 0f) || !float.IsFinite(max))
            return new RoiStats(max, mean, threshold, 0, 0, BoundingBox.Empty);
        var box = BoundingBox.Of(inputSizeMap.Values, inputSizeMap.Width, threshold * max, out int count);
        return new RoiStats(max, mean, threshold, count, (double)count / inputSizeMap.Values.Length, box);
    }
}
