namespace BatchXai.Core.Metrics;

/// <summary>One metric of one image's map: its value (NaN where undefined) and, for curves, the points it summarises.</summary>
public sealed record ImageMetric(string Name, double Value, double[]? Curve = null)
{
    public const string DeletionAuc = "deletion_auc", InsertionAuc = "insertion_auc", RoadMorf = "road_morf", RoadLerf = "road_lerf",
        PointingHit = "pointing_hit", MaskEnergy = "mask_energy", RoiIou = "roi_iou";

    /// <summary>Summary names of the randomisation check at a cascade step: randomization_spearman@k, randomization_ssim@k (k layers re-drawn).</summary>
    public const string RandomizationSpearman = "randomization_spearman", RandomizationSsim = "randomization_ssim";

    public static string AtStep(string name, int layers) => $"{name}@{layers}";

    /// <summary>The layer count of a step name, or null for other metrics.</summary>
    public static int? StepOf(string metric, string name) =>
        metric.StartsWith(name + "@", StringComparison.Ordinal) && int.TryParse(metric.AsSpan(name.Length + 1), out int k) ? k : null;

    /// <summary>True when a smaller value means a more faithful map (deletion and ROAD MoRF: the score should collapse fast).</summary>
    public static bool LowerIsBetter(string name) => name is DeletionAuc or RoadMorf;
}
