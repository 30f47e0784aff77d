using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Audit.Causal;
using BatchXai.Core.Audit.Spray;
using BatchXai.Core.Methods;
using BatchXai.Storage;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Audit;

/// <summary>
/// The audit's causal check (issue 13) for a run: per class, the suspect regions — the hot region of
/// each SpRAy cluster (masked on the cluster's members), the corners the geometric audit
/// flagged, the area outside the field of view and the colour (masked on a sample of the class) — are
/// masked (<see cref="RegionMask"/>) and the class's probability and predictions measured
/// (<see cref="CausalCheck"/>) through the run's model, opened by an <see cref="IModelProbeSource"/>.
/// At most <see cref="CausalCheckOptions.Images"/> images per class and per cluster, spread evenly
/// over the class's images in key order, so it costs a few forward passes per image whatever the
/// run's size. Stores one causal_checks row per region and returns the findings.
/// </summary>
public sealed class CausalAudit(ResultStore results, IModelProbeSource probes)
{
    /// <summary>Flipped images a finding lists as evidence.</summary>
    public const int ExampleImages = 6;

    /// <param name="classImages">Each class's images under the run's selection, keys ascending.</param>
    /// <param name="geometric">The geometric audit's findings: the corners they flag are masked.</param>
    public async Task<IReadOnlyList<AuditFinding>> RunAsync(RunRow run, IReadOnlyDictionary<int, IReadOnlyList<string>> classImages, IReadOnlyList<ClassSpray> spray,
        IReadOnlyList<AuditFinding> geometric, StoredFieldsOfView fieldsOfView, CancellationToken ct)
    {
        var info = RunInfo.Of(run);
        var options = new MethodOptions(info.Options.MethodOptions);
        int perClass = options.Get(CausalCheckOptions.Images);
        double margin = options.Get(CausalCheckOptions.Margin);
        if (perClass == 0 || classImages.Count == 0)
        {
            await results.ReplaceCausalChecksAsync(run.Id, [], ct);
            return [];
        }

        var regions = classImages.OrderBy(c => c.Key).Select(c => (Class: c.Key, Regions: RegionsOf(c.Key, c.Value, spray, geometric, perClass))).ToList();
        IModelProbe probe;
        try
        {
            probe = await probes.OpenAsync(info.Settings, ct);
        }
        // The check needs the model; a run whose model cannot be opened here keeps its other findings, and says why this one is missing.
        catch (Exception e) when (e is not OperationCanceledException && !TransientFaults.IsTransient(e))
        {
            await results.ReplaceCausalChecksAsync(run.Id, [], ct);
            return [new AuditFinding(CausalFindings.ModelWide, 0, "masking_not_run", AuditSeverity.Info,
                $"the causal check did not run: the model could not be opened here ({e.Message})", new Dictionary<string, object> { ["value"] = 0, ["image_count"] = 0 })];
        }
        using (probe)
        {
            var g = probe.Geometry;
            var keys = regions.SelectMany(r => r.Regions).SelectMany(r => r.ImageKeys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var images = (await probe.LoadAsync(keys, ct)).ToDictionary(i => i.Key, i => new ProbeImage(i.Key, i.Input, fieldsOfView.For(i.Key, g.Height, g.Width)), StringComparer.Ordinal);
            var colours = images.Values.Select(i => RegionMask.MeanColour(i.Input, i.FieldOfView, g)).ToList();
            var target = Enumerable.Range(0, g.Channels).Select(c => colours.Count == 0 ? 0 : colours.Average(m => m[c])).ToArray();

            var findings = new List<AuditFinding>();
            var rows = new List<CausalCheckRow>();
            foreach (var (c, classRegions) in regions)
            {
                var check = new CausalCheck(g, probe.Scores, probe.Classes, probe.MultiLabel ? options.Get(FindingThresholdOption.Spec) : null);
                foreach (var region in classRegions)
                {
                    var effect = check.Measure(region, c, [.. region.ImageKeys.Where(images.ContainsKey).Select(k => images[k])], target);
                    if (effect.Images == 0) continue;
                    var finding = CausalFindings.Of(effect, info.ClassNames[c], margin, ExampleImages);
                    findings.Add(finding);
                    rows.Add(RowOf(effect, info.ClassNames[c], finding.Severity, [.. region.ImageKeys.Where(images.ContainsKey)]));
                }
            }
            await results.ReplaceCausalChecksAsync(run.Id, rows, ct);
            return findings;
        }
    }

    /// <summary>A class's suspect regions: the hot region of every SpRAy cluster (every method), flagged corners, the surround and the colour.</summary>
    public static List<SuspectRegion> RegionsOf(int classIndex, IReadOnlyList<string> images, IReadOnlyList<ClassSpray> spray, IReadOnlyList<AuditFinding> geometric, int perClass)
    {
        var sample = EvenSample(images, perClass);
        var regions = new List<SuspectRegion> { SuspectRegion.OutsideFieldOfView(sample), SuspectRegion.Colour(sample) };
        foreach (var corner in ImageCorners.All)
        {
            string name = ImageCorners.Name(corner);
            if (geometric.Any(f => f.ClassIndex == classIndex && f.Severity > AuditSeverity.Info && (f.Kind == "corner_mass_" + name || f.Kind == "peak_cluster_" + name)))
                regions.Add(SuspectRegion.CornerOf(corner, sample));
        }
        foreach (var classSpray in spray.Where(s => s.ClassIndex == classIndex))
            foreach (var cluster in classSpray.Clusters)
                regions.Add(SuspectRegion.HotRegionOf(classSpray.Method, cluster.Index, SprayFindings.HotRegion(cluster.MeanMap, classSpray.GridSide),
                    EvenSample([.. cluster.Members.Order(StringComparer.Ordinal)], perClass), cluster.Candidate));
        return regions;
    }

    /// <summary>Up to <paramref name="count"/> items spread evenly over the list (all of them when it is no longer).</summary>
    public static IReadOnlyList<string> EvenSample(IReadOnlyList<string> items, int count) =>
        items.Count <= count ? items : [.. Enumerable.Range(0, count).Select(i => items[(int)((long)i * items.Count / count)])];

    private static CausalCheckRow RowOf(RegionEffect e, string className, AuditSeverity severity, IReadOnlyList<string> images) => new()
    {
        ClassIndex = e.ClassIndex, ClassName = className, Region = e.Region.Name, RegionKind = e.Region.Kind.ToString(),
        Method = e.Region.Method ?? CausalFindings.ModelWide, ClusterIndex = e.Region.Cluster,
        BoxX0 = e.Region.Box?.X0, BoxY0 = e.Region.Box?.Y0, BoxX1 = e.Region.Box?.X1, BoxY1 = e.Region.Box?.Y1,
        ImagesMasked = e.Images, MeanScore = e.MeanScore, MeanScoreDrop = e.MeanScoreDrop, FlipRate = e.FlipRate,
        InsideFovShare = e.InsideFieldOfView, OutsideAnatomy = e.OutsideAnatomy, Severity = AuditCsv.SeverityName(severity),
        ImagesJson = JsonSerializer.Serialize(images), FlippedJson = JsonSerializer.Serialize(e.Flipped),
    };
}
