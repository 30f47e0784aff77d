using System.Globalization;
using BatchXai.Cli;
using BatchXai.Core.Metrics;
using BatchXai.Onnx.Graph;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Imaging;
using BatchXai.Tests.Localisation;
using BatchXai.Worker.Sanity;
using Xunit.Abstractions;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// The model-randomisation sanity check: SSIM against scikit-image, Spearman against numpy ranks,
/// the cascade's re-drawn layers on the bundled grader, and the check end to end.
/// </summary>
public sealed class SanityCheckTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-sanity-").FullName;

    private readonly NumberFiles _files = new();

    public void Dispose()
    {
        _files.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Save(string name, IEnumerable<float> values) => _files.Write(name, values);

    [Fact]
    public void Ssim_matches_scikit_image_and_spearman_matches_numpy_ranks()
    {
        const int h = 24, w = 30;
        var random = new Random(5);
        var a = Enumerable.Range(0, h * w).Select(_ => (float)random.NextDouble()).ToArray();
        // b: a smoothed, noisier, partly tied version of a.
        var b = a.Select((v, i) => MathF.Round(Math.Clamp(0.6f * v + 0.4f * (float)random.NextDouble(), 0, 1) * 8) / 8).ToArray();
        var expected = PythonReference.Run("""
import sys
import numpy as np
from skimage.metrics import structural_similarity
h, w = [int(v) for v in sys.argv[3].split(',')]
a = np.loadtxt(sys.argv[1]).reshape(h, w); b = np.loadtxt(sys.argv[2]).reshape(h, w)
def ranks(x):
    x = x.reshape(-1); order = np.argsort(x, kind='stable'); r = np.empty(len(x)); i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and x[order[j + 1]] == x[order[i]]: j += 1
        r[order[i:j + 1]] = (i + j) / 2 + 1; i = j + 1
    return r
print(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0),
      np.corrcoef(ranks(a), ranks(b))[0, 1])
""", Save("a", a), Save("b", b), $"{h},{w}").Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected[0], StructuralSimilarity.Of(a, b, h, w), 6);
        Assert.Equal(expected[1], RankCorrelation.Spearman(a, b), 10);
        Assert.Equal(1.0, StructuralSimilarity.Of(a, a, h, w), 10);
    }

    [Fact]
    public void The_cascade_redraws_exactly_the_top_layers_keeping_each_tensors_scale()
    {
        var source = OnnxGraph.Load(PointingGameTests.BundledModel("dr_grader.onnx")).Model;
        var layers = ModelRandomization.Layers(source);
        output.WriteLine($"{layers.Count} weight layers: " + string.Join(", ", layers.Select(l => $"{l.Node} ({l.OpType})")));
        Assert.True(layers.Count >= 3);
        layers.Reverse();
        var once = OnnxGraph.FromBytes(ModelRandomization.Randomize(source, layers.Take(1), 7)).Model;
        var twice = OnnxGraph.FromBytes(ModelRandomization.Randomize(source, layers.Take(2), 7)).Model;
        float[] Values(Onnx.Proto.ModelProto model, string name)
        {
            var t = model.Graph.Initializer.Single(i => i.Name == name);
            return t.FloatData.Count > 0 ? [.. t.FloatData] : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        }
        var top = layers[0].Initializers.ToHashSet();
        foreach (var tensor in source.Graph.Initializer.Where(t => t.DataType == (int)Onnx.Proto.TensorProto.Types.DataType.Float && t.Dims.Count > 0))
        {
            var original = Values(source, tensor.Name);
            var randomized = Values(once, tensor.Name);
            if (!top.Contains(tensor.Name)) { Assert.Equal(original, randomized); continue; }
            Assert.NotEqual(original, randomized);
            // Cumulative: the top layer keeps the same re-drawn weights at the next step.
            Assert.Equal(randomized, Values(twice, tensor.Name));
            if (original.Length >= 100)
            {
                double Std(float[] v) { double m = v.Average(x => (double)x); return Math.Sqrt(v.Average(x => (x - m) * (x - m))); }
                Assert.InRange(Std(randomized) / Std(original), 0.8, 1.2);
            }
        }
    }

    [Fact]
    public async Task A_run_with_randomization_stores_the_cascade_per_method_and_reports_it()
    {
        var data = Path.Combine(_root, "data");
        SampleDatasetWriter.Write(data, 6, seed: 4242, new SampleDataOptions());
        var outDir = Path.Combine(_root, "out");
        var options = new Dictionary<string, string> { ["metrics"] = "randomization", ["sanity-per-class"] = "1", ["sanity-steps"] = "2" };
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, PointingGameTests.BundledModel("dr_grader.json"), "gradcam,saliency,guidedbp", outDir,
            MethodOptions: options), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(outDir, "batchxai.db")));
        var rows = await store.ImageSanityAsync(outcome.Run!.Id);
        var targets = (await store.ResultsAsync(outcome.Run.Id, "gradcam")).Select(r => r.TargetClass).Distinct().Count();
        int total = rows[0].TotalLayers;
        var steps = RandomizationCheck.Steps(total, 2);
        Assert.Equal(3 * targets * steps.Count, rows.Count); // one image per target class, every method, every step
        Assert.Equal(total, steps[^1]);
        Assert.All(rows, r => Assert.InRange(r.Spearman ?? 0, -1, 1));

        var summary = new StringWriter();
        MetricsSummary.Print(summary, outcome.Run, outcome.ModelMetrics ?? [], outcome.ClassMetrics ?? []);
        output.WriteLine(summary.ToString());
        Assert.Contains("model randomisation", summary.ToString());
        foreach (var method in new[] { "gradcam", "saliency", "guidedbp" }) Assert.Contains($"  {method}", summary.ToString());
        // The flag follows the stored figures at the judged step (half the layers re-drawn).
        var classes = outcome.ClassMetrics!;
        int judged = MapSimilarity.JudgedStep(steps, total);
        foreach (var method in new[] { "gradcam", "saliency", "guidedbp" })
        {
            double spearman = classes.Single(c => c.Method == method && c.Metric == ImageMetric.AtStep(ImageMetric.RandomizationSpearman, judged)).Mean!.Value;
            var line = summary.ToString().Split('\n').Single(l => l.StartsWith($"  {method}", StringComparison.Ordinal));
            Assert.Equal(spearman >= MapSimilarity.FailAbove, line.Contains("FLAGGED"));
        }
    }
}
