using System.Globalization;
using System.Text.Json;
using BatchXai.Cli;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;
using BatchXai.Tests.Backward.Conformance;
using BatchXai.Tests.Imaging;
using Xunit.Abstractions;

namespace BatchXai.Tests.MultiLabel;

/// <summary>
/// <c>--metrics</c> on a multi-label (sigmoid) head: one set of metrics per (image, method, finding) explained, the curves
/// following the finding's own sigmoid probability — checked against the torch net rerun in float64 on the same
/// perturbed copies — summarised per finding, exported with the finding's name; the randomisation check per
/// (image, finding) sampled.
/// </summary>
public sealed class MultiLabelMetricsTests(MultiLabelExports exports, ITestOutputHelper output) : IClassFixture<MultiLabelExports>, IDisposable
{
    private const int Steps = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-multilabel-metrics-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Each_explained_finding_gets_its_own_deletion_and_insertion_curves_on_its_sigmoid()
    {
        var options = new Dictionary<string, string>
        {
            ["metrics"] = "deletion,insertion,randomization", ["metric-steps"] = Steps.ToString(CultureInfo.InvariantCulture),
            ["sanity-per-class"] = "1", ["sanity-steps"] = "1",
        };
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(exports.Data, exports.Manifest, "cam", Path.Combine(_root, "out"), MethodOptions: options),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.True(outcome.ExitCode == ExitCodes.Ok, outcome.Error);
        var run = outcome.Run!;
        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(outcome.OutDir, "batchxai.db")));
        var pairs = exports.PredictedPairs(0.5);
        var perImage = await store.ImageMetricsAsync(run.Id);

        // One deletion and one insertion row per (image, finding) explained, nothing else.
        Assert.Equal(pairs, perImage.Where(m => m.Metric == ImageMetric.DeletionAuc).Select(m => (m.ImageKey, m.TargetClass)).ToHashSet());
        Assert.Equal(pairs, perImage.Where(m => m.Metric == ImageMetric.InsertionAuc).Select(m => (m.ImageKey, m.TargetClass)).ToHashSet());
        Assert.Equal(2 * pairs.Count, perImage.Count);
        Assert.Contains(pairs.GroupBy(p => p.Key), g => g.Count() > 1); // some image is explained for several findings

        // The deletion curves against torch: the net rerun in float64 on the same copies (the map's pixels, most relevant
        // first, set to the black baseline), each copy scored by the finding's sigmoid; area by np.trapz.
        var rows = (await store.AllResultsAsync(run.Id)).ToDictionary(r => (r.ImageKey, r.TargetClass));
        var ordered = pairs.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Finding).ToList();
        var maps = Path.Combine(_root, "maps.txt");
        await File.WriteAllLinesAsync(maps, ordered.Select(p =>
        {
            var low = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(rows[p].MapLowRes).ToArray();
            int side = (int)Math.Sqrt(low.Length);
            var map = Worker.MapOutputWriter.AtSize(new ExplanationMap(side, side, low), 32, 32);
            return $"{Array.IndexOf(exports.Keys, p.Key)} {p.Finding} " + string.Join(' ', map.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        }));
        var script = Path.Combine(PythonExports.RepositoryRoot(), "tests/BatchXai.Tests/MultiLabel");
        var reference = PythonReference.Run(DeletionScript, script, exports.Folder, maps, Steps.ToString(CultureInfo.InvariantCulture)).Split('\n');
        Assert.Equal(ordered.Count, reference.Length);
        double worstPoint = 0, worstArea = 0;
        for (int n = 0; n < ordered.Count; n++)
        {
            var expected = reference[n].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var row = perImage.Single(m => m.ImageKey == ordered[n].Key && m.TargetClass == ordered[n].Finding && m.Metric == ImageMetric.DeletionAuc);
            var curve = JsonSerializer.Deserialize<double[]>(row.CurveJson!)!;
            Assert.Equal(Steps + 1, curve.Length);
            for (int k = 0; k <= Steps; k++) worstPoint = Math.Max(worstPoint, Math.Abs(expected[k] - curve[k]));
            worstArea = Math.Max(worstArea, Math.Abs(expected[^1] - row.Value!.Value));
            // The insertion curve ends on the image itself: the finding's own probability, as torch has it.
            var insertion = JsonSerializer.Deserialize<double[]>(perImage.Single(m => m.ImageKey == ordered[n].Key && m.TargetClass == ordered[n].Finding
                && m.Metric == ImageMetric.InsertionAuc).CurveJson!)!;
            Assert.Equal(exports.Probability(Array.IndexOf(exports.Keys, ordered[n].Key), ordered[n].Finding), insertion[^1], 4);
        }
        output.WriteLine($"deletion: {ordered.Count} (image, finding) curves of {Steps + 1} points vs torch float64: worst point error {worstPoint:E2}, worst AUC error {worstArea:E2}");
        Assert.True(worstPoint <= 1e-4 && worstArea <= 1e-4, $"deletion vs torch: point {worstPoint:E2}, area {worstArea:E2}");

        // Summaries per finding: the mean over the images explained for it.
        var classes = await store.ClassMetricsAsync(run.Id);
        for (int f = 0; f < MultiLabelExports.Findings.Length; f++)
        {
            var values = perImage.Where(m => m.TargetClass == f && m.Metric == ImageMetric.DeletionAuc).Select(m => m.Value!.Value).ToList();
            var summary = classes.SingleOrDefault(c => c.Method == "cam" && c.ClassIndex == f && c.Metric == ImageMetric.DeletionAuc);
            Assert.Equal(values.Count, summary?.ImageCount ?? 0);
            if (values.Count > 0) Assert.Equal(values.Average(), summary!.Mean!.Value, 12);
        }

        // image_metrics.csv names each row's finding.
        var csv = File.ReadAllLines(Path.Combine(outcome.OutDir, run.Id.ToString("D"), "image_metrics.csv"));
        Assert.StartsWith("image_key,method,metric,target_class,target_name,", csv[0], StringComparison.Ordinal);
        Assert.Equal(1 + perImage.Count, csv.Length);
        foreach (var line in csv.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal(MultiLabelExports.Findings[int.Parse(cells[3], CultureInfo.InvariantCulture)], cells[4]);
        }

        // Randomisation: the first pair of each explained finding, each checked for its own finding at every cascade step.
        var sanity = await store.ImageSanityAsync(run.Id);
        var sampled = sanity.Select(s => (s.ImageKey, s.TargetClass)).ToHashSet();
        Assert.Equal(pairs.Select(p => p.Finding).Distinct().Order(), sampled.Select(s => s.TargetClass).Order());
        Assert.All(sampled, s => Assert.Contains(s, pairs));
        int cascade = sanity.Select(s => s.LayersRandomized).Distinct().Count();
        Assert.True(cascade >= 2, $"{cascade} cascade steps");
        Assert.Equal(sampled.Count * cascade, sanity.Count);
        Assert.All(sanity, s => Assert.NotNull(s.Spearman));
    }

    // The net of export_multilabel_net.py rebuilt from its saved weights in float64, its images redrawn from the same seed;
    // per (image, finding): pixels ranked by map value (ties: lower index first), round(k/K·P) of them set to the black
    // baseline (0 − mean)/std in every channel, p_f = σ(S_f) of the finding alone, area by np.trapz over [0, 1].
    private const string DeletionScript = """
import sys, math, os
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
import export_multilabel_net as ex
folder, K = sys.argv[2], int(sys.argv[4])
net = ex.MultiLabelCnn()
net.load_state_dict(torch.load(os.path.join(folder, 'state.pt')))
net = net.double().eval()
pixels = ex.images(np.random.default_rng(7))
x = ((pixels.astype(np.float64) / 255.0 - ex.MEAN) / ex.STD).transpose(0, 3, 1, 2)
black = (0.0 - ex.MEAN) / ex.STD
C, H, W = 3, ex.SIZE, ex.SIZE
P = H * W
for line in open(sys.argv[3]):
    parts = line.split()
    i, f = int(parts[0]), int(parts[1])
    m = np.array([float(v) for v in parts[2:]], dtype=np.float32)
    order = np.argsort(-m, kind='stable')
    copies = []
    for k in range(K + 1):
        n = int(math.floor(k / K * P + 0.5))
        img = x[i].copy().reshape(C, P)
        img[:, order[:n]] = black
        copies.append(img.reshape(C, H, W))
    with torch.no_grad():
        p = net(torch.tensor(np.stack(copies)))[:, f].numpy()
    print(' '.join(repr(float(v)) for v in list(p) + [np.trapz(p, dx=1.0 / K)]))
""";
}
