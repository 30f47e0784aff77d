using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The audit on shortcuts inside the field of view (issue 13), which the geometric measures cannot
/// see: the ring model on data where 60 % of the mild eyes carry the ring, and the colour-cast
/// model on data where every mild eye has the cast, must each get a finding above info on the mild
/// class from SpRAy or the causal check; the clean grader on plain data must get none above info.
/// All three run the whole embedded pipeline (the causal check opens the model through the worker's
/// cache), with classes large enough for SpRAy (at least 12 correctly graded images each).
/// </summary>
public sealed class PlantedShortcutAuditTests(ITestOutputHelper output) : IDisposable
{
    private const int PlantedGrade = 1;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-planted-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private sealed record Audited(List<AuditFindingRow> Findings, List<CausalCheckRow> Checks, List<SprayClusterRow> Clusters);

    private async Task<Audited> AuditedRunAsync(string model, int images, int seed, SampleDataOptions data)
    {
        string folder = Path.Combine(_root, "data"), outDir = Path.Combine(_root, "out");
        SampleDatasetWriter.Write(folder, images, seed, data);
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(folder, PointingGameTests.BundledModel(model), "crm,cam", outDir),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(RunStatus.Completed, outcome.Run!.Status);
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(outDir, "batchxai.db")));
        var audited = new Audited(await store.AuditFindingsAsync(outcome.Run.Id), await store.CausalChecksAsync(outcome.Run.Id), await store.SprayClustersAsync(outcome.Run.Id));

        foreach (var c in audited.Clusters)
            output.WriteLine($"{model} {c.Method} class {c.ClassIndex}: cluster {c.ClusterIndex}/{c.ClusterCount} size {c.Size} of {c.ClassImageCount}, eigengap {c.Eigengap:F3}, "
                + $"spread {c.Spread:F3}, distance {c.DistanceToMain:F3}{(c.Candidate ? " CANDIDATE" : "")}");
        foreach (var r in audited.Checks)
            output.WriteLine($"{model} class {r.ClassIndex} mask {r.Region}: {r.ImagesMasked} images, p {r.MeanScore:F3}, drop {r.MeanScoreDrop:F3}, flip rate {r.FlipRate:F3}, "
                + $"inside FOV {r.InsideFovShare:F2}{(r.BoxX0 is double x0 ? $", box x {x0:F2}-{r.BoxX1:F2} y {r.BoxY0:F2}-{r.BoxY1:F2}" : "")}: {r.Severity}");
        foreach (var f in audited.Findings.Where(f => f.Severity != "info"))
            output.WriteLine($"{model} {f.Method} class {f.ClassIndex} {f.Kind}: {f.Severity}: {f.Message}");
        // Every causal row has its finding, with the same severity.
        foreach (var r in audited.Checks)
            Assert.Contains(audited.Findings, f => f.Kind == "masking_" + r.Region && f.ClassIndex == r.ClassIndex && f.Severity == r.Severity);
        return audited;
    }

    private static bool AboveInfo(AuditFindingRow f) => f.Severity is "warning" or "critical";

    [Fact]
    public async Task The_ring_model_is_flagged_on_the_mild_class_at_the_ring()
    {
        var audited = await AuditedRunAsync("ring_shortcut_grader.json", 120, seed: 21,
            new SampleDataOptions { RingGrade = PlantedGrade, RingShare = 0.6, GradeWeights = [1, 2, 1, 1, 1] });

        var flagged = audited.Findings.Where(f => f.ClassIndex == PlantedGrade && AboveInfo(f)
            && (f.Kind.StartsWith("spray_cluster_", StringComparison.Ordinal) || f.Kind.StartsWith("masking_spray_", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(flagged);
        // The flagged cluster's hot region is where the ring was drawn (0.68, 0.32 of the frame), and masking it was measured.
        var ringChecks = audited.Checks.Where(r => r.ClassIndex == PlantedGrade && r.Region.StartsWith("spray_", StringComparison.Ordinal)).ToList();
        Assert.Contains(ringChecks, r => r.BoxX0 <= 0.68 && 0.68 <= r.BoxX1 && r.BoxY0 <= 0.32 && 0.32 <= r.BoxY1);
    }

    [Fact]
    public async Task The_colour_cast_model_is_flagged_on_the_mild_class_by_the_colour_probe()
    {
        var audited = await AuditedRunAsync("cast_shortcut_grader.json", 100, seed: 22, new SampleDataOptions { CastGrade = PlantedGrade });

        Assert.Contains(audited.Findings, f => f.ClassIndex == PlantedGrade && AboveInfo(f) && f.Kind == "masking_colour");
        var colour = audited.Checks.Single(r => r.ClassIndex == PlantedGrade && r.Region == "colour");
        Assert.True(colour.ImagesMasked >= 12, $"{colour.ImagesMasked} images masked");
    }

    [Fact]
    public async Task The_clean_grader_on_plain_data_gets_no_finding_above_info_and_its_masking_is_recorded()
    {
        var audited = await AuditedRunAsync("dr_grader.json", 100, seed: 23, new SampleDataOptions());

        Assert.All(audited.Findings, f => Assert.True(f.Severity == "info", $"{f.Method} class {f.ClassIndex} {f.Kind}: {f.Severity}: {f.Message}"));
        // SpRAy clustered every class, and every class's surround and colour were masked.
        Assert.Equal(5, audited.Clusters.Select(c => c.ClassIndex).Distinct().Count());
        for (int c = 0; c < 5; c++)
        {
            Assert.Contains(audited.Checks, r => r.ClassIndex == c && r.Region == "outside_fov");
            Assert.Contains(audited.Checks, r => r.ClassIndex == c && r.Region == "colour");
        }
    }
}
