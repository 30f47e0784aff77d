using BatchXai.Core.Maps;

namespace BatchXai.Core.Audit.Spray;

/// <summary>
/// SpRAy's findings for one class: an info finding that describes the clustering (k, eigengap,
/// cluster sizes), and a warning per candidate-shortcut cluster with its numbers, the hot region
/// of its mean map and example images. A warning, not critical: a cluster says the model treats
/// some images differently, the masking check says whether it depends on what they share.
/// </summary>
public static class SprayFindings
{
    public const string ClusteringKind = "spray_clusters";

    public static string CandidateKind(int cluster) => $"spray_cluster_{cluster}";

    /// <summary>Share of the mean map's maximum that bounds the cluster's hot region.</summary>
    public const double HotRegionThreshold = 0.7;

    public static IReadOnlyList<AuditFinding> Of(ClassSpray spray, string className, int exampleImages)
    {
        var findings = new List<AuditFinding>
        {
            new(spray.Method, spray.ClassIndex, ClusteringKind, AuditSeverity.Info,
                $"{className}: SpRAy finds {spray.K} cluster(s) in {spray.Images} {spray.Method} maps (eigengap {spray.Eigengap:F3}), sizes {string.Join('/', spray.Clusters.Select(c => c.Size))}",
                new Dictionary<string, object>
                {
                    ["value"] = spray.K, ["k"] = spray.K, ["eigengap"] = spray.Eigengap, ["eigenvalues"] = spray.Eigenvalues,
                    ["cluster_sizes"] = spray.Clusters.Select(c => c.Size).ToArray(), ["image_count"] = spray.Images,
                }),
        };
        foreach (var c in spray.Clusters.Where(c => c.Candidate))
        {
            var hot = HotRegion(c.MeanMap, spray.GridSide);
            findings.Add(new AuditFinding(spray.Method, spray.ClassIndex, CandidateKind(c.Index), AuditSeverity.Warning,
                $"{className}: SpRAy cluster {c.Index} holds {c.Size} of {spray.Images} {spray.Method} maps, tight (spread {c.Spread:F2} vs {spray.Main.Spread:F2}) "
                + $"and distant from the main cluster ({c.DistanceToMain:F2}); its mean map is hot at x {hot.X0:P0}-{hot.X1:P0}, y {hot.Y0:P0}-{hot.Y1:P0}: a candidate shortcut",
                new Dictionary<string, object>
                {
                    ["value"] = c.DistanceToMain / Math.Max(c.Spread, 1e-12), ["cluster"] = c.Index, ["cluster_size"] = c.Size,
                    ["share"] = (double)c.Size / spray.Images, ["spread"] = c.Spread, ["main_spread"] = spray.Main.Spread,
                    ["distance_to_main"] = c.DistanceToMain, ["eigengap"] = spray.Eigengap, ["k"] = spray.K, ["image_count"] = spray.Images,
                    ["hot_region"] = new { x0 = hot.X0, y0 = hot.Y0, x1 = hot.X1, y1 = hot.Y1 },
                    ["example_images"] = c.Members.Take(exampleImages).ToArray(),
                }));
        }
        return findings;
    }

    /// <summary>The box of grid cells at or above <see cref="HotRegionThreshold"/> of the mean map's maximum, as fractions of the frame [x0, x1).</summary>
    public static (double X0, double Y0, double X1, double Y1) HotRegion(double[] meanMap, int side)
    {
        var box = BoundingBox.Of(meanMap.Select(v => (float)v).ToArray(), side, (float)(HotRegionThreshold * meanMap.Max()), out _);
        if (box.IsEmpty) return (0, 0, 1, 1);
        return ((double)box.X0 / side, (double)box.Y0 / side, (double)(box.X1 + 1) / side, (double)(box.Y1 + 1) / side);
    }
}
