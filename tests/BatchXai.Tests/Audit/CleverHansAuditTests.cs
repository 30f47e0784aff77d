using System.Text.Json;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The audit's validation: the bundled shortcut grader, run on data with the planted top-left grade
/// tag, must be flagged; the clean grader on untagged data must not. Both run through the whole
/// embedded pipeline, so this also checks the hook in the aggregator, the rows and audit.csv.
/// </summary>
public sealed class CleverHansAuditTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 40;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-audit-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<List<AuditFindingRow>> AuditedRunAsync(string model, bool cleverHans)
    {
        string data = Path.Combine(_root, "data"), outDir = Path.Combine(_root, "out");
        SampleDatasetWriter.Write(data, Images, seed: 5, new SampleDataOptions { CleverHans = cleverHans });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, PointingGameTests.BundledModel(model), "crm,cam", outDir),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(RunStatus.Completed, outcome.Run!.Status);

        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(outDir, "batchxai.db")));
        var findings = await store.AuditFindingsAsync(outcome.Run.Id);
        // The bundled manifests crop the fundus, so the workers fit a disc to every image and the audit measures against those.
        var fieldsOfView = await store.FieldsOfViewAsync(outcome.Run.Id);
        Assert.Equal(Images, fieldsOfView.Count);
        Assert.All(fieldsOfView.Values, f => Assert.Equal("detected_disc", f.Kind));
        foreach (var f in findings.Where(f => f.Kind == "outside_fov_mass"))
        {
            var evidence = JsonDocument.Parse(f.EvidenceJson).RootElement;
            Assert.Equal(evidence.GetProperty("image_count").GetInt32(), evidence.GetProperty("field_of_view").GetProperty("detected_disc").GetInt32());
        }
        var csv = File.ReadAllLines(Path.Combine(outDir, outcome.Run.Id.ToString("D"), "audit.csv"));
        Assert.Equal(1 + findings.Count, csv.Length);
        foreach (var f in findings)
            output.WriteLine($"{model} {f.Method} class {f.ClassIndex} {f.Kind}: {f.Severity} value={Value(f):F3} n={JsonDocument.Parse(f.EvidenceJson).RootElement.GetProperty("image_count")}");
        return findings;
    }

    private static double Value(AuditFindingRow f) => JsonDocument.Parse(f.EvidenceJson).RootElement.GetProperty("value").GetDouble();

    [Fact]
    public async Task The_shortcut_grader_on_tagged_data_is_flagged_for_the_top_left_corner_in_several_classes()
    {
        var findings = await AuditedRunAsync("shortcut_grader.json", cleverHans: true);

        foreach (var method in new[] { "crm", "cam" })
        {
            var flagged = findings.Where(f => f.Method == method && f.Severity is "warning" or "critical"
                && f.Kind is "corner_mass_top_left" or "peak_cluster_top_left" or "outside_fov_mass").Select(f => f.ClassIndex).Distinct().ToList();
            Assert.True(flagged.Count >= 2, $"{method}: flagged classes [{string.Join(',', flagged)}]");
        }
    }

    [Fact]
    public async Task The_clean_grader_on_untagged_data_gets_no_warning_or_critical_finding()
    {
        var findings = await AuditedRunAsync("dr_grader.json", cleverHans: false);

        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.True(f.Severity == "info", $"{f.Method} class {f.ClassIndex} {f.Kind}: {f.Severity}: {f.Message}"));
    }
}
