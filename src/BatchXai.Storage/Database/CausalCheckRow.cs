namespace BatchXai.Storage.Database;

/// <summary>
/// The evidence of one masking of the audit's causal check (issue 13): a suspect region of a class,
/// masked on some of its images, and what that did to the class's probability and predictions.
/// </summary>
public sealed class CausalCheckRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public int ClassIndex { get; set; }
    public string ClassName { get; set; } = "";
    /// <summary>outside_fov, corner_top_left, colour, spray_&lt;method&gt;_cluster_&lt;n&gt;.</summary>
    public string Region { get; set; } = "";
    public string RegionKind { get; set; } = "";
    /// <summary>The method whose SpRAy cluster named the region; "model" for the others.</summary>
    public string Method { get; set; } = "";
    public int? ClusterIndex { get; set; }
    /// <summary>The hot region's box as fractions of the frame; null for regions that are not boxes.</summary>
    public double? BoxX0 { get; set; }
    public double? BoxY0 { get; set; }
    public double? BoxX1 { get; set; }
    public double? BoxY1 { get; set; }
    public int ImagesMasked { get; set; }
    /// <summary>Mean probability of the class before masking.</summary>
    public double MeanScore { get; set; }
    public double MeanScoreDrop { get; set; }
    public double FlipRate { get; set; }
    /// <summary>Mean share of the masked pixels inside the field of view.</summary>
    public double InsideFovShare { get; set; }
    public bool OutsideAnatomy { get; set; }
    public string Severity { get; set; } = "";
    /// <summary>JSON array of the masked images' keys.</summary>
    public string ImagesJson { get; set; } = "[]";
    /// <summary>JSON array of the images whose prediction left the class.</summary>
    public string FlippedJson { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
}
