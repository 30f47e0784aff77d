using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Dicom;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// Embedded runs a radiology user makes: a folder of real DICOM files (pydicom's samples, in every
/// transfer syntax, with and without .dcm), and an unlabelled screening folder.
/// </summary>
public sealed class RadiologyRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-radiology-").FullName;
    private readonly FixtureModel _model = new(GraphFixtures.GapLinear);

    private string Out => Path.Combine(_root, "out");

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static async Task<ResultStore> StoreAsync(string outDir) => new(await SqliteDatabase.OpenAsync(Path.Combine(outDir, "batchxai.db")));

    [Fact]
    public async Task A_dicom_folder_is_explained_with_crm_and_gradcam_and_gets_class_views_by_prediction()
    {
        var data = Path.Combine(_root, "dicom");
        Directory.CreateDirectory(data);
        string[] samples = ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "SC_rgb_rle_2frame.dcm"];
        foreach (var name in samples) File.Copy(DicomSamples.PathOf(name), Path.Combine(data, name));
        File.Copy(DicomSamples.PathOf("CT_small.dcm"), Path.Combine(data, "ct-without-extension"));   // recognised by content
        File.Copy(DicomSamples.PathOf("rtplan.dcm"), Path.Combine(data, "plan.dcm"));                  // no pixel data: fails alone

        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm,gradcam", Out,
            MethodOptions: new Dictionary<string, string> { ["window"] = "-600,1500" }), EmbeddedRunner.Quietly, CancellationToken.None);

        var run = outcome.Run!;
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal((8, 7, 1), (run.Expected, run.Explained, run.Failed));
        var store = await StoreAsync(Out);
        var failure = Assert.Single(await store.FailuresAsync(run.Id));
        Assert.Equal(("plan.dcm", "DICOM without pixel data (7FE0,0010)"), (failure.ImageKey, failure.Error));
        var results = await store.AllResultsAsync(run.Id);
        Assert.Equal(14, results.Count);
        Assert.All(results.Where(r => r.Method == "crm"), r => Assert.True(r.MapMax > 0, $"crm {r.ImageKey}: empty map"));
        Assert.All(results, r => Assert.True(double.IsFinite(r.MapMax) && r.MapLowRes.Length > 0, $"{r.Method} {r.ImageKey}"));

        // Unlabelled: the views go by predicted class, and the run says so.
        Assert.Equal("predicted", RunOptions.Of(run).MethodOptions![ClassSelectionOption.Name]);
        var predicted = results.Where(r => r.Method == "crm").Select(r => r.Predicted).Distinct().Order().ToList();
        var aggregates = await store.ClassAggregatesAsync(run.Id);
        foreach (var method in new[] { "crm", "gradcam" })
            Assert.Equal(predicted, aggregates.Where(a => a.Method == method).Select(a => a.ClassIndex));
    }

    [Fact]
    public async Task An_unlabelled_folder_gets_class_views_and_audit_findings_by_predicted_class()
    {
        var labelled = Path.Combine(_root, "labelled");
        SampleDatasetWriter.Write(labelled, 12, seed: 5, new SampleDataOptions { Size = 96 });
        var data = Path.Combine(_root, "unlabelled");
        Directory.CreateDirectory(data);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(labelled, "train_images")))
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));

        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm,cam", Out), EmbeddedRunner.Quietly, CancellationToken.None);

        var run = outcome.Run!;
        Assert.Equal((RunStatus.Completed, 12, 12, 0), (run.Status, run.Expected, run.Explained, run.Failed));
        var store = await StoreAsync(Out);
        var results = await store.AllResultsAsync(run.Id);
        Assert.All(results, r => Assert.Null(r.Label));
        var predicted = results.Where(r => r.Method == "crm").GroupBy(r => r.Predicted).ToDictionary(g => g.Key, g => g.Count());

        var aggregates = await store.ClassAggregatesAsync(run.Id);
        foreach (var method in new[] { "crm", "cam" })
        {
            var views = aggregates.Where(a => a.Method == method).ToList();
            Assert.Equal(predicted.Keys.Order(), views.Select(a => a.ClassIndex));
            Assert.All(views, v => Assert.Equal(predicted[v.ClassIndex], v.ImageCount));
        }
        var findings = await store.AuditFindingsAsync(run.Id);
        Assert.Equal(predicted.Keys.Order(), findings.Where(f => f.Method == "crm").Select(f => f.ClassIndex).Distinct().Order());
    }

    [Fact]
    public async Task An_unknown_class_selection_is_refused_before_any_work()
    {
        var data = Path.Combine(_root, "one");
        SampleDatasetWriter.Write(data, 2, seed: 1, new SampleDataOptions { Size = 64 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm", Out,
            MethodOptions: new Dictionary<string, string> { [ClassSelectionOption.Name] = "wrong" }), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Contains("--class-selection", outcome.Error);
    }
}
