using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Onnx.Manifest;
using Xunit.Abstractions;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.MultiLabel;

/// <summary>
/// A multi-label sigmoid model run end to end on the embedded default: one map per (image, finding) for the findings the
/// target asks for, CAM and per-finding CRM against numpy, class views per finding over its positive images, results.csv
/// carrying the findings; a finding name the model lacks is refused before anything is queued.
/// </summary>
public sealed class MultiLabelRunTests(MultiLabelExports exports, ITestOutputHelper output) : IClassFixture<MultiLabelExports>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-multilabel-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<RunOutcome> RunAsync(string name, string methods, TargetChoice? target = null, Dictionary<string, string>? options = null) =>
        await EmbeddedRunner.RunAsync(new RunArguments(exports.Data, exports.Manifest, methods, Path.Combine(_root, name), target, MethodOptions: options),
            EmbeddedRunner.Quietly, CancellationToken.None);

    /// <summary>results.csv as (column → value) rows.</summary>
    private static List<Dictionary<string, string>> Results(RunOutcome outcome)
    {
        var lines = File.ReadAllLines(Path.Combine(outcome.OutDir, outcome.Run!.Id.ToString("D"), "results.csv"));
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))];
    }

    private static HashSet<(string Key, int Finding)> Pairs(IEnumerable<Dictionary<string, string>> rows, string method) =>
        [.. rows.Where(r => r["method"] == method).Select(r => (r["image_key"], int.Parse(r["target_class"])))];

    /// <summary>The stored maps at feature size, by (method, finding, image key): CAM/CRM/Grad-CAM grids this small are
    /// stored once, as the row's own low-resolution copy (no .feature.npy object).</summary>
    private static async Task<Func<string, int, string, double[]>> StoredFeatureMapsAsync(RunOutcome outcome)
    {
        var store = new BatchXai.Storage.Database.ResultStore(await BatchXai.Storage.Database.SqliteDatabase.OpenAsync(Path.Combine(outcome.OutDir, "batchxai.db")));
        var rows = await store.AllResultsAsync(outcome.Run!.Id);
        var maps = rows.ToDictionary(r => (r.Method, r.TargetClass, r.ImageKey), r => MemoryMarshalFloats(r.MapLowRes));
        return (method, finding, key) => maps[(method, finding, key)];
    }

    private static double[] MemoryMarshalFloats(byte[] bytes) =>
        [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v)];

    [Fact]
    public async Task Each_present_finding_gets_its_maps_matching_numpy_and_each_finding_its_class_views()
    {
        var outcome = await RunAsync("predicted", "cam,crm");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var storedMap = await StoredFeatureMapsAsync(outcome);
        Assert.Equal((8, 8, 0), (outcome.Run!.Expected, outcome.Run.Explained, outcome.Run.Failed));

        var rows = Results(outcome);
        var expected = exports.PredictedPairs(0.5);
        foreach (var method in new[] { "cam", "crm" })
        {
            Assert.Equal(expected, Pairs(rows, method));
            double worst = 0;
            foreach (var (key, finding) in expected)
            {
                int image = Array.IndexOf(exports.Keys, key);
                worst = Math.Max(worst, RelativeError(exports.Reference(method, image, finding), storedMap(method, finding, key)));
            }
            output.WriteLine($"{method}: {expected.Count} (image, finding) maps, worst relative error vs numpy {worst:E2}");
            Assert.True(worst <= 1e-4, $"{method}: relative error {worst:E2}");
        }

        // The rows carry the image's labelled and present findings.
        foreach (var row in rows)
        {
            int image = Array.IndexOf(exports.Keys, row["image_key"]);
            Assert.Equal(string.Join(';', exports.Labelled[image]), row["label_findings"]);
            var present = Enumerable.Range(0, 4).Where(f => exports.Probability(image, f) >= 0.5);
            Assert.Equal(string.Join(';', present), row["predicted_findings"]);
        }

        // Labelled dataset: views by "correct" — per finding, the images labelled with it whose probability reached 0.5.
        for (int f = 0; f < 4; f++)
        {
            int count = Enumerable.Range(0, 8).Count(i => exports.Labelled[i].Contains(f) && exports.Probability(i, f) >= 0.5);
            foreach (var method in new[] { "cam", "crm" })
            {
                var view = outcome.Classes!.SingleOrDefault(c => c.Method == method && c.ClassIndex == f);
                output.WriteLine($"{method} {MultiLabelExports.Findings[f]}: {view?.ImageCount ?? 0} images (expected {count})");
                Assert.Equal(count, view?.ImageCount ?? 0);
                if (count > 0) Assert.Equal(MultiLabelExports.Findings[f], view!.ClassName);
            }
        }
    }

    [Fact]
    public async Task The_threshold_decides_which_findings_are_explained()
    {
        var outcome = await RunAsync("threshold", "cam,gradcam", options: new() { ["finding-threshold"] = "0.9" });
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var storedMap = await StoredFeatureMapsAsync(outcome);
        var expected = exports.PredictedPairs(0.9);
        Assert.NotEqual(exports.PredictedPairs(0.5), expected);
        var rows = Results(outcome);
        Assert.Equal(expected, Pairs(rows, "cam"));
        Assert.Equal(expected, Pairs(rows, "gradcam"));

        // Grad-CAM through the backward graph, seeded per (image, finding): on a GAP → linear head α_k = W[f,k]/(uv), so
        // Grad-CAM_f = ReLU(CAM_f)/(uv) — numpy's CAM of that finding.
        double worst = 0;
        foreach (var (key, finding) in expected)
        {
            var cam = exports.Reference("cam", Array.IndexOf(exports.Keys, key), finding);
            var reference = cam.Select(c => Math.Max(c, 0) / cam.Length).ToArray();
            worst = Math.Max(worst, RelativeError(reference, storedMap("gradcam", finding, key)));
        }
        output.WriteLine($"gradcam: {expected.Count} (image, finding) maps at threshold 0.9, worst relative error vs numpy {worst:E2}");
        Assert.True(worst <= 1e-4, $"gradcam: relative error {worst:E2}");
    }

    [Fact]
    public async Task A_named_finding_is_explained_on_every_image()
    {
        var outcome = await RunAsync("named", "cam", TargetChoice.Parse("nodule"));
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var storedMap = await StoredFeatureMapsAsync(outcome);
        Assert.Equal("finding:nodule", outcome.Run!.Target);
        Assert.Equal(exports.Keys.Select(k => (k, 2)).ToHashSet(), Pairs(Results(outcome), "cam"));
        for (int i = 0; i < exports.Keys.Length; i++)
            Assert.True(RelativeError(exports.Reference("cam", i, 2), storedMap("cam", 2, exports.Keys[i])) <= 1e-4);
    }

    [Fact]
    public async Task A_finding_the_model_lacks_is_refused_before_anything_is_queued()
    {
        var outcome = await RunAsync("bad", "cam", TargetChoice.Parse("Cardiomegaly"));
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Null(outcome.Run);
        Assert.Contains("'Cardiomegaly' is not a class of the model", outcome.Error);
        Assert.Contains("Effusion", outcome.Error);
    }

    [Fact]
    public void A_sigmoid_head_is_multi_label_and_may_not_be_declared_otherwise()
    {
        Assert.True(ModelManifest.Load(exports.Manifest).Outputs.MultiLabel);
        var json = File.ReadAllText(exports.Manifest).Replace("\"activation\": \"sigmoid\"", "\"activation\": \"sigmoid\", \"multiLabel\": false");
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Parse(json, exports.Manifest));
        Assert.Equal("outputs.multiLabel", e.Field);
    }
}
