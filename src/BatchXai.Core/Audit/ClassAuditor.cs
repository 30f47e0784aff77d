namespace BatchXai.Core.Audit;

/// <summary>
/// Turns one class's per-image attribution measurements (one method) into findings: mean mass
/// outside the field of view, the heaviest corner's mean mass, whether the class-average ROI lies
/// outside the field of view, and how many images peak in the same corner. The field-of-view
/// findings say which kind of field of view the images were measured against, and their message
/// says so when the inscribed disc had to stand in for a detected one.
/// </summary>
public sealed class ClassAuditor(AuditThresholds thresholds)
{
    /// <param name="roiOutsideFov">Share of the class-average map's ROI box outside the field of view (the mean over the images' fields of view); null when there is no class view.</param>
    public IReadOnlyList<AuditFinding> Audit(string method, int classIndex, string className, IReadOnlyList<ImageAttribution> images, double? roiOutsideFov)
    {
        if (images.Count == 0) return [];
        var findings = new List<AuditFinding>();
        int n = images.Count;

        var fovKinds = images.GroupBy(i => i.FieldOfView).OrderBy(g => g.Key).ToDictionary(g => FieldOfView.NameOf(g.Key), g => g.Count());
        int inscribed = images.Count(i => i.FieldOfView == FieldOfViewKind.InscribedDisc);
        string fovNote = inscribed == 0 ? "" : $"; {inscribed} of {n} images had no detected field of view, the disc inscribed in the frame stood in";

        double outside = images.Average(i => i.Attribution.OutsideFovMass);
        var top = images.OrderByDescending(i => i.Attribution.OutsideFovMass).ThenBy(i => i.ImageKey, StringComparer.Ordinal)
            .Take(thresholds.TopImages).Select(i => new { image = i.ImageKey, outside_fov_mass = i.Attribution.OutsideFovMass }).ToArray();
        findings.Add(Finding(method, classIndex, "outside_fov_mass", outside, thresholds.OutsideFovMass, n,
            $"{className}: {outside:P0} of {method} attribution lies outside the field of view (mean of {n} images{fovNote})",
            new() { ["mean_outside_fov_mass"] = outside, ["mean_border_mass"] = images.Average(i => i.Attribution.BorderMass), ["top_images"] = top, ["field_of_view"] = fovKinds }));

        var cornerMeans = ImageCorners.All.ToDictionary(c => c, c => images.Average(i => i.Attribution.MassIn(c)));
        var heaviest = cornerMeans.MaxBy(kv => kv.Value);
        findings.Add(Finding(method, classIndex, "corner_mass_" + ImageCorners.Name(heaviest.Key), heaviest.Value, thresholds.CornerMass, n,
            $"{className}: the {Words(heaviest.Key)} corner holds {heaviest.Value:P0} of {method} attribution (mean of {n} images; a uniform map puts 2% there)",
            cornerMeans.ToDictionary(kv => "mean_mass_" + ImageCorners.Name(kv.Key), kv => (object)kv.Value)));

        if (roiOutsideFov is double roi)
            findings.Add(Finding(method, classIndex, "roi_outside_fov", roi, thresholds.RoiOutsideFov, n,
                $"{className}: {roi:P0} of the class-average {method} map's 70% ROI box lies outside the field of view (mean over the class's images{fovNote})",
                new() { ["roi_box_outside_fov_share"] = roi, ["field_of_view"] = fovKinds }));

        var peaks = images.Where(i => i.Attribution.PeakCorner is not null).GroupBy(i => i.Attribution.PeakCorner!.Value)
            .Select(g => (Corner: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ThenBy(g => g.Corner).ToList();
        if (peaks.Count > 0)
        {
            var (corner, count) = peaks[0];
            double share = (double)count / n;
            findings.Add(Finding(method, classIndex, "peak_cluster_" + ImageCorners.Name(corner), share, thresholds.PeakClustering, n,
                $"{className}: {count} of {n} {method} maps peak in the {Words(corner)} corner",
                new() { ["images_peaking_in_corner"] = count, ["images"] = n, ["share"] = share }));
        }
        return findings;
    }

    private AuditFinding Finding(string method, int classIndex, string kind, double value, (double Warning, double Critical) bounds, int images,
        string message, Dictionary<string, object> evidence)
    {
        var severity = images < thresholds.MinImages ? AuditSeverity.Info : AuditThresholds.SeverityOf(value, bounds);
        evidence["value"] = value;
        evidence["warning_at"] = bounds.Warning;
        evidence["critical_at"] = bounds.Critical;
        evidence["image_count"] = images;
        return new AuditFinding(method, classIndex, kind, severity, message, evidence);
    }

    private static string Words(ImageCorner corner) => ImageCorners.Name(corner).Replace('_', '-');
}
