namespace BatchXai.Storage.Database;

// Rows of migration 0008 (issue 12): model metrics, per-image faithfulness metrics and their class summaries.

/// <summary>
/// One model metric of a run: accuracy, qwk, macro_f1, macro_auc (class −1); precision, recall, f1,
/// auc, support (per class); confusion (true class × predicted class). Value null where undefined.
/// </summary>
public sealed class ModelMetricRow
{
    public const int WholeRun = -1;

    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Metric { get; set; } = "";
    public int ClassIndex { get; set; }
    /// <summary>The predicted class of a confusion cell; −1 for the other metrics.</summary>
    public int PredictedIndex { get; set; } = WholeRun;
    public double? Value { get; set; }
    /// <summary>Labelled images the metric was computed on.</summary>
    public int Images { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One faithfulness or localisation metric of one image's map for one method (on a multi-label head: one per
/// finding explained, migration 0012).</summary>
public sealed class ImageMetricRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string ImageKey { get; set; } = "";
    public string Method { get; set; } = "";
    public string Metric { get; set; } = "";
    /// <summary>The class the map explains (the class whose probability the curves follow: softmax, or the finding's own sigmoid).</summary>
    public int TargetClass { get; set; }
    public double? Value { get; set; }
    /// <summary>JSON array of the curve's p_c values (deletion/insertion: K+1 steps; ROAD: 10%..90%); null for scalar metrics.</summary>
    public string? CurveJson { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A metric summarised over the images explained for one class (−1: all images) by one method.</summary>
public sealed class ClassMetricRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Method { get; set; } = "";
    public int ClassIndex { get; set; }
    public string Metric { get; set; } = "";
    public int ImageCount { get; set; }
    public double? Mean { get; set; }
    public double? Std { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// The model-randomisation check for one image and method at one cascade step: how alike the map of
/// the model with its top <see cref="LayersRandomized"/> weight layers re-drawn is to the original.
/// </summary>
public sealed class ImageSanityRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string ImageKey { get; set; } = "";
    public string Method { get; set; } = "";
    /// <summary>The class (on a multi-label head: the finding) both maps explain; −1 on rows stored before migration 0012.</summary>
    public int TargetClass { get; set; } = -1;
    public int LayersRandomized { get; set; }
    /// <summary>The lowest layer re-drawn at this step (the cascade runs from the logits down).</summary>
    public string TopLayer { get; set; } = "";
    public int TotalLayers { get; set; }
    /// <summary>Spearman rank correlation of |map| with the original.</summary>
    public double? Spearman { get; set; }
    /// <summary>SSIM of |map| / max with the original's.</summary>
    public double? Ssim { get; set; }
    public DateTime CreatedAt { get; set; }
}
