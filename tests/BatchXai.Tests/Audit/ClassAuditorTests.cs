using BatchXai.Core.Audit;

namespace BatchXai.Tests.Audit;

/// <summary>Class-level findings from per-image measurements: means, peak clustering, severities.</summary>
public sealed class ClassAuditorTests
{
    private static ImageAttribution Image(string key, double outside, double topLeft, ImageCorner? peak) =>
        new(key, new MapAttribution(outside, outside, [topLeft, 0.01, 0.02, 0.0], 0, 0, peak));

    private static readonly AuditThresholds Thresholds = new()
    {
        OutsideFovMass = (0.3, 0.5), CornerMass = (0.1, 0.2), RoiOutsideFov = (0.5, 0.75), PeakClustering = (0.4, 0.7), TopImages = 2,
    };

    [Fact]
    public void Seven_of_ten_peaks_in_one_corner_is_critical_clustering_and_the_means_are_the_image_averages()
    {
        var images = Enumerable.Range(0, 10).Select(i => i < 7 ? Image($"k{i}", 0.6, 0.3, ImageCorner.TopLeft) : Image($"k{i}", 0.1, 0.0, null)).ToList();

        var findings = new ClassAuditor(Thresholds).Audit("cam", 2, "moderate", images, roiOutsideFov: 0.6).ToDictionary(f => f.Kind);

        Assert.Equal(["corner_mass_top_left", "outside_fov_mass", "peak_cluster_top_left", "roi_outside_fov"], findings.Keys.Order());
        Assert.Equal(7 * 0.6 / 10 + 3 * 0.1 / 10, (double)findings["outside_fov_mass"].Evidence["value"], 1e-12);
        Assert.Equal(AuditSeverity.Warning, findings["outside_fov_mass"].Severity);     // 0.45 in [0.3, 0.5)
        Assert.Equal(7 * 0.3 / 10, (double)findings["corner_mass_top_left"].Evidence["value"], 1e-12);
        Assert.Equal(AuditSeverity.Critical, findings["corner_mass_top_left"].Severity);  // 0.21 ≥ 0.2
        Assert.Equal(0.7, (double)findings["peak_cluster_top_left"].Evidence["share"], 1e-12);
        Assert.Equal(AuditSeverity.Critical, findings["peak_cluster_top_left"].Severity);
        Assert.Equal(AuditSeverity.Warning, findings["roi_outside_fov"].Severity);
        Assert.Equal(2, ((Array)findings["outside_fov_mass"].Evidence["top_images"]).Length);
        Assert.All(findings.Values, f => Assert.Equal((2, "cam"), (f.ClassIndex, f.Method)));
    }

    [Fact]
    public void A_class_below_the_minimum_image_count_only_gets_info_and_no_roi_finding_without_a_class_view()
    {
        var images = new[] { Image("a", 0.9, 0.9, ImageCorner.TopLeft), Image("b", 0.9, 0.9, ImageCorner.TopLeft) };

        var findings = new ClassAuditor(Thresholds).Audit("crm", 0, "none", images, roiOutsideFov: null);

        Assert.All(findings, f => Assert.Equal(AuditSeverity.Info, f.Severity));
        Assert.DoesNotContain(findings, f => f.Kind == "roi_outside_fov");
        Assert.Empty(new ClassAuditor(Thresholds).Audit("crm", 0, "none", [], null));
    }

    [Theory]
    [InlineData(0.29, AuditSeverity.Info)]
    [InlineData(0.30, AuditSeverity.Warning)]
    [InlineData(0.50, AuditSeverity.Critical)]
    public void Severity_is_the_highest_bound_reached(double value, AuditSeverity expected) =>
        Assert.Equal(expected, AuditThresholds.SeverityOf(value, (0.3, 0.5)));
}
