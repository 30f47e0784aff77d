namespace BatchXai.Core.Maps;

/// <summary>
/// Per-image statistics of a map at input resolution (CRM paper §4.2 and Table 3): the raw
/// maximum and mean, the map's display scale (<see cref="MapScale"/>: its 99.5th percentile, of
/// |value| for signed maps), and the region of interest — pixels at or above
/// <see cref="Threshold"/> of that scale — as a pixel count, a ratio of the image area and a bounding
/// box. The ROI is always the positive part of the map (the evidence for the target class): for a
/// signed map, negative values (evidence against) never enter it.
/// </summary>
public sealed record RoiStats(float Max, float Mean, float Scale, float Threshold, int RoiPixels, double RoiRatio, BoundingBox RoiBox)
{
    /// <summary>The CRM paper shows and counts values ≥ 20% of the map's maximum; here, of its 99.5th percentile.</summary>
    public const float DefaultThreshold = 0.2f;

    public static RoiStats Compute(ExplanationMap inputSizeMap, bool signed, float threshold = DefaultThreshold)
    {
        float max = inputSizeMap.Max();
        float mean = inputSizeMap.Mean();
        float scale = inputSizeMap.Scale(signed);
        if (!(scale > 0f))
            return new RoiStats(max, mean, scale, threshold, 0, 0, BoundingBox.Empty);
        var box = BoundingBox.Of(inputSizeMap.Values, inputSizeMap.Width, threshold * scale, out int count);
        return new RoiStats(max, mean, scale, threshold, count, (double)count / inputSizeMap.Values.Length, box);
    }
}
