namespace BatchXai.Core.Audit.Causal;

/// <summary>
/// Turns what masking a region did into a finding. The effect is the larger of the flip rate and the
/// mean drop of the class's probability; at or above the margin (<see cref="CausalCheckOptions.Margin"/>)
/// it is <see cref="AuditSeverity.Critical"/> when the region lies outside the anatomy (nothing there
/// should decide a grade), and <see cref="AuditSeverity.Warning"/> for the colour probe and for a SpRAy
/// cluster's hot region inside the anatomy that is a candidate cluster's or a small fixed spot (at most
/// <see cref="SmallRegionArea"/> of the frame): lesions sit at different places in different eyes, so
/// a class that hangs on one small place in every image is suspect, while a model may rightly depend on
/// a large region it looks at (info). Below the margin, and with fewer than <see cref="MinImages"/>
/// images, it is info: the evidence is kept either way.
/// </summary>
public static class CausalFindings
{
    /// <summary>The method name findings of regions that belong to no method carry (the surround, corners, colour).</summary>
    public const string ModelWide = "model";

    public const int MinImages = 3;

    /// <summary>A hot region's box at most this share of the frame is a fixed spot.</summary>
    public const double SmallRegionArea = 0.1;

    public static string KindOf(SuspectRegion region) => "masking_" + region.Name;

    public static AuditSeverity SeverityOf(RegionEffect effect, double margin)
    {
        if (effect.Images < MinImages || !(effect.Effect >= margin)) return AuditSeverity.Info;
        if (effect.OutsideAnatomy) return AuditSeverity.Critical;
        var region = effect.Region;
        return region.Kind == SuspectRegionKind.Colour || (region.Kind == SuspectRegionKind.ClusterHotRegion && (region.Candidate || region.Area <= SmallRegionArea))
            ? AuditSeverity.Warning : AuditSeverity.Info;
    }

    public static AuditFinding Of(RegionEffect effect, string className, double margin, int exampleImages)
    {
        var region = effect.Region;
        string where = region.Kind switch
        {
            SuspectRegionKind.OutsideFieldOfView => "the area outside the field of view",
            SuspectRegionKind.Corner when region.Corner is { } corner => $"the {ImageCorners.Name(corner).Replace('_', '-')} corner outside the field of view",
            SuspectRegionKind.Colour => "the colour (channels scaled to the run's mean colour balance)",
            _ when region.Box is { } box => $"the hot region of {region.Method} SpRAy cluster {region.Cluster} (x {box.X0:P0}-{box.X1:P0}, y {box.Y0:P0}-{box.Y1:P0}, "
                + (effect.OutsideAnatomy ? "outside the anatomy)" : "inside the anatomy)"),
            _ => region.Name,
        };
        var severity = SeverityOf(effect, margin);
        return new AuditFinding(region.Method ?? ModelWide, effect.ClassIndex, KindOf(region), severity,
            $"{className}: masking {where} on {effect.Images} images drops the class probability by {effect.MeanScoreDrop:F2} on average "
            + $"(from {effect.MeanScore:F2}) and moves {effect.FlipRate:P0} of its predictions to another class",
            new Dictionary<string, object>
            {
                ["value"] = effect.Effect, ["region"] = region.Name, ["region_kind"] = region.Kind.ToString(), ["images_masked"] = effect.Images,
                ["mean_score"] = effect.MeanScore, ["mean_score_drop"] = effect.MeanScoreDrop, ["flip_rate"] = effect.FlipRate,
                ["inside_fov_share"] = effect.InsideFieldOfView, ["outside_anatomy"] = effect.OutsideAnatomy, ["margin"] = margin, ["region_area"] = region.Area, ["candidate_cluster"] = region.Candidate,
                ["image_count"] = effect.Images, ["flipped_images"] = effect.Flipped.Take(exampleImages).ToArray(),
            });
    }
}
