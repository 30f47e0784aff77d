namespace BatchXai.Core.Metrics;

/// <summary>One metric of one image's map: its value (NaN where undefined) and, for curves, the points it summarises.</summary>
public sealed record ImageMetric(string Name, double Value, double[]? Curve = null)
{
    public const string DeletionAuc = "deletion_auc", InsertionAuc = "insertion_auc", RoadMorf = "road_morf", RoadLerf = "road_lerf",
        PointingHit = "pointing_hit", MaskEnergy = "mask_energy", RoiIou = "roi_iou";

    /// <summary>True when a smaller value means a more faithful map (deletion and ROAD MoRF: the score should collapse fast).</summary>
    public static bool LowerIsBetter(string name) => name is DeletionAuc or RoadMorf;
}
