namespace BatchXai.Core.Audit.Causal;

/// <summary>What a suspect region is, which decides how it is masked and whether it lies outside the anatomy.</summary>
public enum SuspectRegionKind
{
    /// <summary>A SpRAy cluster's mean-map hot region (a box): pixels inside the field of view imputed from their surround, outside it set to black.</summary>
    ClusterHotRegion,
    /// <summary>A corner square flagged by the geometric audit: its pixels outside the field of view set to black.</summary>
    Corner,
    /// <summary>Everything outside the field of view, set to black.</summary>
    OutsideFieldOfView,
    /// <summary>Not a place but the image's colour: the channels inside the field of view scaled to the run's mean colour balance, brightness kept.</summary>
    Colour,
}

/// <summary>
/// One region the causal check masks on a class's images (issue 13): where a SpRAy cluster's maps are hot,
/// a corner the geometric audit flagged, the area outside the field of view, or the image's colour.
/// </summary>
/// <param name="Name">Snake-case name, unique within the class ("outside_fov", "corner_top_left", "colour", "spray_crm_cluster_1").</param>
/// <param name="Method">The method whose SpRAy cluster named the region; null for regions of the model as a whole.</param>
/// <param name="Cluster">The SpRAy cluster, for <see cref="SuspectRegionKind.ClusterHotRegion"/>.</param>
/// <param name="Box">Fractions of the frame [X0, X1) × [Y0, Y1), for <see cref="SuspectRegionKind.ClusterHotRegion"/>.</param>
/// <param name="Corner">For <see cref="SuspectRegionKind.Corner"/>.</param>
/// <param name="ImageKeys">The images it is masked on: the cluster's members for a hot region, the class's sample otherwise.</param>
/// <param name="Candidate">For a hot region: its cluster is a SpRAy candidate shortcut (small, tight, distant).</param>
public sealed record SuspectRegion(string Name, SuspectRegionKind Kind, IReadOnlyList<string> ImageKeys, string? Method = null, int? Cluster = null,
    (double X0, double Y0, double X1, double Y1)? Box = null, ImageCorner? Corner = null, bool Candidate = false)
{
    /// <summary>Share of the frame the hot region's box covers; 1 for the other kinds.</summary>
    public double Area => Box is { } b ? (b.X1 - b.X0) * (b.Y1 - b.Y0) : 1;

    public static SuspectRegion OutsideFieldOfView(IReadOnlyList<string> images) => new("outside_fov", SuspectRegionKind.OutsideFieldOfView, images);

    public static SuspectRegion Colour(IReadOnlyList<string> images) => new("colour", SuspectRegionKind.Colour, images);

    public static SuspectRegion CornerOf(ImageCorner corner, IReadOnlyList<string> images) =>
        new("corner_" + ImageCorners.Name(corner), SuspectRegionKind.Corner, images, Corner: corner);

    public static SuspectRegion HotRegionOf(string method, int cluster, (double X0, double Y0, double X1, double Y1) box, IReadOnlyList<string> members, bool candidate = false) =>
        new($"spray_{method}_cluster_{cluster}", SuspectRegionKind.ClusterHotRegion, members, method, cluster, box, Candidate: candidate);
}
