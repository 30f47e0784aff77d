using BatchXai.Core.Audit;
using BatchXai.Core.Audit.Spray;
using BatchXai.Core.Maps;

namespace BatchXai.Tests.Audit;

/// <summary>
/// SpRAy's cluster description and candidate rule on constructed classes: maps whose weight falls
/// on lesions scattered over the retina, with or without a subset whose weight sits on one fixed
/// spot (what a model that reads a stamped ring produces).
/// </summary>
public sealed class SprayAnalysisTests
{
    private const int Side = ConstructedMaps.Side;
    private static readonly (double X, double Y) Spot = ConstructedMaps.Spot;

    private static ClassSpray Analyse(int clean, int shortcut, int seed)
    {
        var rng = new Random(seed);
        var images = Enumerable.Range(0, clean + shortcut).Select(i => (Key: i < clean ? $"clean{i:D3}" : $"ring{i:D3}", Shortcut: i >= clean))
            .OrderBy(_ => rng.Next()).ToList();
        var grids = images.Select(i => MapGrid.Of(ConstructedMaps.Map(rng, i.Shortcut))).ToList();
        return SprayAnalysis.Analyse("crm", 2, images.Select(i => i.Key).ToList(), grids, new SprayThresholds())!;
    }

    [Fact]
    public void A_subset_attending_to_one_fixed_spot_is_one_small_tight_distant_cluster_flagged_with_its_hot_region()
    {
        var spray = Analyse(clean: 36, shortcut: 10, seed: 1);

        Assert.True(spray.Clusters.Count(c => c.Candidate) == 1, $"k {spray.K}, eigenvalues [{string.Join(", ", spray.Eigenvalues.Select(v => v.ToString("F3")))}], "
            + string.Join("; ", spray.Clusters.Select(c => $"size {c.Size} spread {c.Spread:F2} distance {c.DistanceToMain:F2} rings {c.Members.Count(m => m.StartsWith("ring"))}")));
        var candidate = spray.Clusters.Single(c => c.Candidate);
        // Every ring image, and few others (a lesion near the spot can draw a map in).
        Assert.Equal(10, candidate.Members.Count(m => m.StartsWith("ring")));
        Assert.True(candidate.Size <= 15, $"{candidate.Size} members");
        Assert.True(candidate.Spread < spray.Main.Spread, $"spread {candidate.Spread} vs main {spray.Main.Spread}");
        var hot = SprayFindings.HotRegion(candidate.MeanMap, spray.GridSide);
        Assert.InRange(Spot.X / Side, hot.X0, hot.X1);
        Assert.InRange(Spot.Y / Side, hot.Y0, hot.Y1);
        Assert.True(hot.X1 - hot.X0 < 0.2 && hot.Y1 - hot.Y0 < 0.2, $"hot region {hot}");

        var findings = SprayFindings.Of(spray, "moderate", exampleImages: 4);
        var warning = Assert.Single(findings, f => f.Severity == AuditSeverity.Warning);
        Assert.Equal(SprayFindings.CandidateKind(candidate.Index), warning.Kind);
        // The examples are the members nearest the mean map: ring images.
        Assert.All((string[])warning.Evidence["example_images"], k => Assert.StartsWith("ring", k));
    }

    [Fact]
    public void A_class_whose_maps_all_scatter_over_the_retina_has_no_candidate()
    {
        for (int seed = 1; seed <= 3; seed++)
        {
            var spray = Analyse(clean: 46, shortcut: 0, seed: seed);
            Assert.DoesNotContain(spray.Clusters, c => c.Candidate);
            Assert.All(SprayFindings.Of(spray, "moderate", 4), f => Assert.Equal(AuditSeverity.Info, f.Severity));
        }
    }

    [Fact]
    public void Classes_below_the_minimum_are_not_clustered()
    {
        var grids = Enumerable.Range(0, 5).Select(i => MapGrid.Of(ConstructedMaps.Map(new Random(i), false))).ToList();
        Assert.Null(SprayAnalysis.Analyse("crm", 0, grids.Select((_, i) => $"k{i}").ToList(), grids, new SprayThresholds()));
    }
}
