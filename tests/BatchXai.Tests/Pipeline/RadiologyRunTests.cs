using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Imaging;
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
        // SC_rgb_rle_2frame.dcm holds two frames: two images, file#frame.
        Assert.Equal((9, 8, 1), (run.Expected, run.Explained, run.Failed));
        var store = await StoreAsync(Out);
        var failure = Assert.Single(await store.FailuresAsync(run.Id));
        Assert.Equal(("plan.dcm", "DICOM without pixel data (7FE0,0010)"), (failure.ImageKey, failure.Error));
        var results = await store.AllResultsAsync(run.Id);
        Assert.Equal(16, results.Count);
        Assert.Equal(["SC_rgb_rle_2frame.dcm#0", "SC_rgb_rle_2frame.dcm#1"], results.Where(r => r.Method == "crm" && r.ImageKey.StartsWith("SC_", StringComparison.Ordinal)).Select(r => r.ImageKey).Order());
        // Each frame's own maps and overlay ('#' stays out of file names), and the frames differ.
        var folder = Path.Combine(Out, run.Id.ToString("D"), "crm");
        Assert.True(File.Exists(Path.Combine(folder, "SC_rgb_rle_2frame-frame1.png")), "overlay of frame 1");
        Assert.NotEqual(NpyFile.Read(File.ReadAllBytes(Path.Combine(folder, "SC_rgb_rle_2frame-frame0.npy"))).Data,
            NpyFile.Read(File.ReadAllBytes(Path.Combine(folder, "SC_rgb_rle_2frame-frame1.npy"))).Data);
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

    [Theory]
    [InlineData("class-selection", "wrong")]
    [InlineData("window", "-600")]
    [InlineData("window", "40,0")]
    [InlineData("frame", "-1")]
    [InlineData("overlay-size", "huge")]
    public async Task A_bad_input_option_is_refused_before_any_work(string option, string value)
    {
        var data = Path.Combine(_root, "one");
        SampleDatasetWriter.Write(data, 2, seed: 1, new SampleDataOptions { Size = 64 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm", Out,
            MethodOptions: new Dictionary<string, string> { [option] = value }), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Null(outcome.Run);
        Assert.Contains("--" + option, outcome.Error);
    }

    [Fact]
    public async Task Overlays_of_a_1411_px_fundus_photo_are_drawn_on_the_photo_at_the_overlay_size()
    {
        // skimage's retina.jpg (CC0), a real 1411×1411 fundus photograph, from Debian's python3-skimage.
        var retina = Tests.Imaging.PythonReference.Run("import os, skimage; print(os.path.join(os.path.dirname(skimage.__file__), 'data', 'retina.jpg'))");
        var data = Path.Combine(_root, "photos");
        Directory.CreateDirectory(data);
        File.Copy(retina, Path.Combine(data, "retina.jpg"));
        
        var small = Path.Combine(_root, "out-300");
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm", Out), EmbeddedRunner.Quietly, CancellationToken.None);
        var outcome300 = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm", small,
            MethodOptions: new Dictionary<string, string> { ["overlay-size"] = "300" }), EmbeddedRunner.Quietly, CancellationToken.None);

        Assert.Equal((1, 1), (outcome.Run!.Explained, outcome300.Run!.Explained));
        var overlay = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Out, outcome.Run.Id.ToString("D"), "crm", "retina.png")));
        Assert.Equal(512, Math.Max(overlay.Width, overlay.Height));
        var overlay300 = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(small, outcome300.Run.Id.ToString("D"), "crm", "retina.png")));
        Assert.Equal(300, Math.Max(overlay300.Width, overlay300.Height));
        // The map itself stays at model-input size.
        Assert.Equal([32, 32], NpyFile.Read(File.ReadAllBytes(Path.Combine(Out, outcome.Run.Id.ToString("D"), "crm", "retina.npy"))).Shape);

        // The photo, not a 32 px thumbnail: where the map is well under 20% of its maximum the overlay
        // leaves the picture alone, and there it matches PIL's own resize of the whole photo (this
        // model has no fundus crop, so the picture is the whole frame).
        var reference = Tests.Imaging.PythonReference.Run("""
            import sys, numpy as np
            from PIL import Image
            im = Image.open(sys.argv[1]).convert('RGB').resize((512, 512), Image.BILINEAR)
            print(' '.join(str(v) for v in np.asarray(im).ravel()))
            """, retina).Split(' ').Select(byte.Parse).ToArray();
        var map = NpyFile.Read(File.ReadAllBytes(Path.Combine(Out, outcome.Run.Id.ToString("D"), "crm", "retina.npy")));
        var upsampled = new float[512 * 512];
        global::BatchXai.Core.Maps.BilinearUpsampler.Resize(map.Data, 32, 32, upsampled, 512, 512);
        float max = upsampled.Max();
        var plain = Enumerable.Range(0, upsampled.Length).Where(p => upsampled[p] < 0.1f * max).ToList();
        Assert.True(plain.Count > 1000, $"only {plain.Count} pixels without heat");
        double meanDiff = plain.Average(p => Enumerable.Range(0, 3).Average(c => Math.Abs(overlay.Pixels[3 * p + c] - reference[3 * p + c])));
        Assert.True(meanDiff < 8, $"mean difference {meanDiff:F1} levels from PIL's resize of the photo");
    }
}
