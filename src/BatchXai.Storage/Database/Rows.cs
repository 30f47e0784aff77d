namespace BatchXai.Storage.Database;

// Rows of the results database (docs/architecture.md, "Storage layout"). Column names are the snake_case of the property
// names (ResultsDb applies that convention); Migrations/*.sql create exactly these columns.

public sealed class RunRow
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "";
    public string DatasetUri { get; set; } = "";
    public string ModelManifestUri { get; set; } = "";
    public string ModelName { get; set; } = "";
    public string ModelSha256 { get; set; } = "";
    public string ResultsUri { get; set; } = "";
    /// <summary>Comma-separated method names.</summary>
    public string Methods { get; set; } = "";
    public string Target { get; set; } = "";
    /// <summary>JSON array of class names in logit order.</summary>
    public string ClassNamesJson { get; set; } = "[]";
    /// <summary>JSON object of what the run was asked for beyond the columns: batch size, method options, incremental.</summary>
    public string OptionsJson { get; set; } = "{}";
    /// <summary>The schedule that started the run; null for runs started by hand.</summary>
    public Guid? ScheduleId { get; set; }
    public int Expected { get; set; }
    public int Explained { get; set; }
    public int Failed { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public sealed class ImageResultRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string ImageKey { get; set; } = "";
    public string Method { get; set; } = "";
    public int? Label { get; set; }
    public int Predicted { get; set; }
    public int TargetClass { get; set; }
    /// <summary>JSON array of softmax probabilities in logit order.</summary>
    public string ProbabilitiesJson { get; set; } = "[]";
    /// <summary>Multi-label runs (migration 0006): JSON array of the image's labelled findings (class indices); null when the
    /// image has no finding labels or the run is single-label.</summary>
    public string? LabelFindingsJson { get; set; }
    /// <summary>Multi-label runs: JSON array of the findings whose probability reached --finding-threshold; null on single-label
    /// runs (what tells a multi-label row apart: its <see cref="TargetClass"/> is the finding the map is for).</summary>
    public string? PredictedFindingsJson { get; set; }
    public int MapHeight { get; set; }
    public int MapWidth { get; set; }
    /// <summary>The map at method resolution, float32 little-endian, row-major.</summary>
    public byte[] MapLowRes { get; set; } = [];
    public double MapMax { get; set; }
    public double MapMean { get; set; }
    public int RoiPixels { get; set; }
    public double RoiRatio { get; set; }
    public int RoiX0 { get; set; }
    public int RoiY0 { get; set; }
    public int RoiX1 { get; set; }
    public int RoiY1 { get; set; }
    public double? CompletenessDelta { get; set; }
    /// <summary>Integrated Gradients refined to a completeness target (--ig-tolerance): the trapezoid steps the path took.</summary>
    public int? PathSteps { get; set; }
    public string NpyUri { get; set; } = "";
    public string PngUri { get; set; } = "";
    public string ContentSha256 { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class ImageFailureRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string ImageKey { get; set; } = "";
    public string Stage { get; set; } = "";
    public string Error { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class ClassAggregateRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Method { get; set; } = "";
    public int ClassIndex { get; set; }
    public string ClassName { get; set; } = "";
    /// <summary>Which images were averaged: correct (label = c and predicted = c), label or predicted.</summary>
    public string Selection { get; set; } = "";
    public int ImageCount { get; set; }
    public double RoiThreshold { get; set; }
    public int RoiPixels { get; set; }
    public double RoiRatio { get; set; }
    public int RoiX0 { get; set; }
    public int RoiY0 { get; set; }
    public int RoiX1 { get; set; }
    public int RoiY1 { get; set; }
    public double ScoreMean { get; set; }
    public double ScoreStd { get; set; }
    public string ScoreHistogramJson { get; set; } = "[]";
    public double ImageRoiRatioMean { get; set; }
    public double ImageRoiRatioStd { get; set; }
    public string ImageRoiRatioHistogramJson { get; set; } = "[]";
    public string NpyUri { get; set; } = "";
    public string PngUri { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class AuditFindingRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Method { get; set; } = "";
    public int ClassIndex { get; set; }
    /// <summary>What was checked, e.g. outside_fov_mass, corner_mass_top_left, roi_outside_fov, peak_cluster_top_left.</summary>
    public string Kind { get; set; } = "";
    /// <summary>info, warning or critical.</summary>
    public string Severity { get; set; } = "";
    public string Message { get; set; } = "";
    public string EvidenceJson { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
}

/// <summary>CLEAR's class view: how much one class dominates the CLEAR maps of one class's images.</summary>
public sealed class ClassDominanceRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Method { get; set; } = "";
    /// <summary>The class of the images (chosen as for the class views: correct, label or predicted).</summary>
    public int ClassIndex { get; set; }
    public string ClassName { get; set; } = "";
    public string Selection { get; set; } = "";
    /// <summary>The class d whose dominance is counted.</summary>
    public int DominantClass { get; set; }
    public string DominantClassName { get; set; } = "";
    public int ImageCount { get; set; }
    /// <summary>Share of the images' field-of-view pixels whose dominant class Ĉ is d.</summary>
    public double FovPixelShare { get; set; }
    /// <summary>The same share over attentive pixels only (dominant response ≥ 20% of the image's maximum).</summary>
    public double AttentivePixelShare { get; set; }
    /// <summary>Images where d is the dominant class of most attentive field-of-view pixels.</summary>
    public int ImagesDominated { get; set; }
    public DateTime CreatedAt { get; set; }
}
