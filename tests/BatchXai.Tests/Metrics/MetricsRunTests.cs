using System.Text.Json;
using BatchXai.Cli;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// Metrics through the embedded pipeline on the bundled grader and synthetic photos with lesion
/// masks: model metrics (checked against counts over the stored rows), per-image faithfulness and
/// mask metrics stored, summarised per class and written to metrics.csv, methods ranked in the summary.
/// </summary>
public sealed class MetricsRunTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 12;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-metrics-run-").FullName;
    private string Data => Path.Combine(_root, "data");
    private string Out => Path.Combine(_root, "out");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_run_with_metrics_stores_model_and_faithfulness_metrics_and_ranks_methods()
    {
        SampleDatasetWriter.Write(Data, Images, seed: 4141, new SampleDataOptions());
        var options = new Dictionary<string, string> { ["metrics"] = "deletion,insertion,road,pointing", ["metric-steps"] = "8" };
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("dr_grader.json"), "cam,gradcam", Out, MethodOptions: options),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var run = outcome.Run!;
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));

        // Model metrics against counts over the stored rows.
        var images = (await store.ResultsAsync(run.Id, "cam")).ToList();
        var model = await store.ModelMetricsAsync(run.Id);
        double accuracy = images.Count(r => r.Label == r.Predicted) / (double)images.Count;
        Assert.Equal(accuracy, model.Single(m => m.Metric == "accuracy").Value!.Value, 12);
        Assert.Equal(Images, model.Where(m => m.Metric == "confusion").Sum(m => m.Value!.Value));
        foreach (var r in images.GroupBy(r => (r.Label!.Value, r.Predicted)))
            Assert.Equal(r.Count(), model.Single(m => m.Metric == "confusion" && m.ClassIndex == r.Key.Item1 && m.PredictedIndex == r.Key.Predicted).Value);

        // Per-image metrics: four curves for every image and method, mask metrics where the mask has a lesion.
        var perImage = await store.ImageMetricsAsync(run.Id);
        var lesionImages = images.Where(r => MaskHasLesion(r.ImageKey)).Select(r => r.ImageKey).ToHashSet();
        Assert.NotEmpty(lesionImages);
        foreach (var method in new[] { "cam", "gradcam" })
            foreach (var r in images)
            {
                var names = perImage.Where(m => m.Method == method && m.ImageKey == r.ImageKey).Select(m => m.Metric).Order().ToList();
                var expected = new List<string> { ImageMetric.DeletionAuc, ImageMetric.InsertionAuc, ImageMetric.RoadLerf, ImageMetric.RoadMorf };
                // A mask with a lesion gets the mask metrics (unless its lesions vanish at model-input size); one without never does.
                if (names.Contains(ImageMetric.PointingHit))
                {
                    Assert.Contains(r.ImageKey, lesionImages);
                    expected.AddRange([ImageMetric.MaskEnergy, ImageMetric.PointingHit, ImageMetric.RoiIou]);
                }
                Assert.Equal(expected.Order(), names);
                var deletion = perImage.Single(m => m.Method == method && m.ImageKey == r.ImageKey && m.Metric == ImageMetric.DeletionAuc);
                var curve = JsonSerializer.Deserialize<double[]>(deletion.CurveJson!)!;
                Assert.Equal(9, curve.Length);
                Assert.Equal(r.TargetClass, deletion.TargetClass);
                // The curve starts at the image's own p_c.
                Assert.Equal(JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson)![r.TargetClass], curve[0], 4);
            }
        Assert.All(perImage.Where(m => m.Metric == ImageMetric.MaskEnergy), m => Assert.InRange(m.Value!.Value, 0, 1));
        Assert.True(perImage.Count(m => m.Metric == ImageMetric.PointingHit) >= lesionImages.Count, "most lesion masks should survive the resize");

        var classes = await store.ClassMetricsAsync(run.Id);
        foreach (var method in new[] { "cam", "gradcam" })
        {
            var all = classes.Single(c => c.Method == method && c.ClassIndex == -1 && c.Metric == ImageMetric.DeletionAuc);
            Assert.Equal(Images, all.ImageCount);
            var values = perImage.Where(m => m.Method == method && m.Metric == ImageMetric.DeletionAuc).Select(m => m.Value!.Value).ToList();
            Assert.Equal(values.Average(), all.Mean!.Value, 12);
        }

        var runDir = Path.Combine(Out, run.Id.ToString("D"));
        var csv = File.ReadAllLines(Path.Combine(runDir, "metrics.csv"));
        Assert.Contains(csv, l => l.StartsWith("model,,accuracy,-1,all,", StringComparison.Ordinal));
        Assert.Contains(csv, l => l.StartsWith("faithfulness,gradcam,deletion_auc,", StringComparison.Ordinal));
        Assert.Equal(1 + perImage.Count, File.ReadAllLines(Path.Combine(runDir, "image_metrics.csv")).Length);

        var summary = new StringWriter();
        MetricsSummary.Print(summary, run, model, classes);
        output.WriteLine(summary.ToString());
        Assert.Contains("quadratic-weighted kappa", summary.ToString());
        Assert.Contains("methods by deletion_auc", summary.ToString());
        Assert.Contains("methods by pointing_hit", summary.ToString());
    }

    [Fact]
    public async Task A_run_without_metrics_stores_no_image_metrics()
    {
        SampleDatasetWriter.Write(Data, 4, seed: 4142, new SampleDataOptions());
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("dr_grader.json"), "cam", Out),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));
        Assert.Empty(await store.ImageMetricsAsync(outcome.Run!.Id));
        Assert.Empty(await store.ClassMetricsAsync(outcome.Run!.Id));
        Assert.NotEmpty(await store.ModelMetricsAsync(outcome.Run!.Id)); // labels exist
    }

    [Fact]
    public async Task An_unknown_metric_is_refused_before_anything_is_queued()
    {
        SampleDatasetWriter.Write(Data, 2, seed: 4143, new SampleDataOptions { Size = 96 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("dr_grader.json"), "cam", Out,
            MethodOptions: new Dictionary<string, string> { ["metrics"] = "deletion,fidelity" }), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Contains("fidelity", outcome.Error);
        Assert.Null(outcome.Run);
    }

    private bool MaskHasLesion(string imageKey)
    {
        var id = Path.GetFileNameWithoutExtension(imageKey);
        var mask = BatchXai.Imaging.ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Data, SampleDatasetWriter.MasksFolder, id + ".png")));
        return mask.Pixels.Any(v => v != 0);
    }
}
