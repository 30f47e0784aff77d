namespace BatchXai.Core.Audit;

/// <summary>
/// Where a class's attribution statistics turn into warning and critical findings. Each pair is
/// (warning, critical); a value at or above the bound gets that severity, below the warning bound
/// it is info. Reference points for the inscribed-disc field of view: a uniform map puts
/// 1 − π/4 ≈ 0.215 of its mass outside the disc and 0.0225 in each 15 % corner square; a map
/// concentrated on the retina puts far less there. The defaults sit between the class means
/// measured on 40 synthetic images (crm and cam, tests/BatchXai.Tests/Audit/CleverHansAuditTests.cs)
/// against each image's detected disc: clean dr_grader on untagged data — outside-FOV mass ≤ 0.019,
/// heaviest corner ≤ 0.004, ROI box outside ≤ 0.023, no peak in a corner; shortcut_grader on tagged
/// data — outside-FOV mass 0.31–0.86, top-left corner 0.21–0.72, ROI box outside ≥ 0.995, 80–100 %
/// of peaks top-left (against the inscribed disc: ≤ 0.017, ≤ 0.022; 0.29–0.85, ≥ 0.975).
/// </summary>
public sealed record AuditThresholds
{
    /// <summary>Mean share of the map's mass outside the field of view.</summary>
    public (double Warning, double Critical) OutsideFovMass { get; init; } = (0.10, 0.25);

    /// <summary>Mean share of the map's mass in one corner square (15 %×15 %, 2.25 % of the frame).</summary>
    public (double Warning, double Critical) CornerMass { get; init; } = (0.05, 0.15);

    /// <summary>Share of the class-average map's 70 % ROI box lying outside the field of view.</summary>
    public (double Warning, double Critical) RoiOutsideFov { get; init; } = (0.50, 0.75);

    /// <summary>Share of the class's images whose map peaks in the same corner square.</summary>
    public (double Warning, double Critical) PeakClustering { get; init; } = (0.40, 0.70);

    /// <summary>Classes with fewer images than this get info findings only: too few to call a pattern.</summary>
    public int MinImages { get; init; } = 3;

    /// <summary>How many images the outside-mass finding lists as evidence.</summary>
    public int TopImages { get; init; } = 5;

    public static AuditSeverity SeverityOf(double value, (double Warning, double Critical) bounds) =>
        value >= bounds.Critical ? AuditSeverity.Critical : value >= bounds.Warning ? AuditSeverity.Warning : AuditSeverity.Info;
}

public enum AuditSeverity
{
    Info,
    Warning,
    Critical,
}
