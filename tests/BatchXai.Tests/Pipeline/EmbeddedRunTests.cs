using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// The embedded default end to end — coordinator, in-memory bus, worker, aggregator, local
/// storage, SQLite — on a synthetic dataset salted with bad files.
/// </summary>
public sealed class EmbeddedRunTests : IDisposable
{
    private const int Images = 24;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-run-").FullName;
    private readonly FixtureModel _model = new(GraphFixtures.GapLinear, fundusCrop: true);

    private string Data => Path.Combine(_root, "data");
    private string Out => Path.Combine(_root, "out");

    public EmbeddedRunTests()
    {
        SampleDatasetWriter.Write(Data, Images, seed: 21, new SampleDataOptions { Size = 96 });
    }

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private Task<RunOutcome> RunAsync(string methods = "crm,cam", string? model = null, Dictionary<string, string>? options = null) =>
        EmbeddedRunner.RunAsync(new RunArguments(Data, model ?? _model.ManifestPath, methods, Out, MethodOptions: options), EmbeddedRunner.Quietly, CancellationToken.None);

    private string[] ImageIds() => File.ReadAllLines(Path.Combine(Data, "train.csv")).Skip(1).Select(l => l.Split(',')[0]).ToArray();

    [Fact]
    public async Task Every_image_is_explained_with_maps_overlays_rows_and_class_views()
    {
        var outcome = await RunAsync();

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var run = outcome.Run!;
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal((Images, Images, 0), (run.Expected, run.Explained, run.Failed));

        var runDir = Path.Combine(Out, run.Id.ToString("D"));
        foreach (var id in ImageIds())
            foreach (var method in new[] { "crm", "cam" })
            {
                var stem = Path.Combine(runDir, method, "train_images", id);
                var map = NpyFile.Read(File.ReadAllBytes(stem + ".npy"));
                Assert.Equal([32, 32], map.Shape);                                   // input size
                Assert.False(File.Exists(stem + ".feature.npy"));                     // a 16x16 feature map lives in its row (below)
                var overlay = ImageDecoder.Decode(File.ReadAllBytes(stem + ".png"));
                Assert.Equal((512, 512), (overlay.Width, overlay.Height));               // --overlay-size, on the cropped photo
            }

        var rows = File.ReadAllLines(Path.Combine(runDir, "results.csv"));
        Assert.Equal(1 + 2 * Images, rows.Length);
        Assert.Single(File.ReadAllLines(Path.Combine(runDir, "failures.csv")));      // header only

        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));
        var results = await store.AllResultsAsync(run.Id);
        Assert.Equal(2 * Images, results.Count);
        Assert.All(results, r => Assert.Equal(5, System.Text.Json.JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson)!.Length));
        Assert.All(results, r => Assert.InRange(r.RoiRatio, 0, 1));
        Assert.All(results, r => Assert.Equal((16, 16, 16 * 16 * sizeof(float)), (r.MapHeight, r.MapWidth, r.MapLowRes.Length))); // the map at feature size

        // A class view for every class that has correctly classified images, for both methods.
        var correctClasses = results.Where(r => r.Method == "crm" && r.Label == r.Predicted).Select(r => r.Predicted).Distinct().Order().ToList();
        var aggregates = await store.ClassAggregatesAsync(run.Id);
        foreach (var method in new[] { "crm", "cam" })
        {
            var forMethod = aggregates.Where(a => a.Method == method).ToList();
            Assert.Equal(correctClasses, forMethod.Select(a => a.ClassIndex));
            foreach (var a in forMethod)
            {
                var average = NpyFile.Read(File.ReadAllBytes(new Uri(a.NpyUri).LocalPath));
                Assert.Equal(1f, average.Data.Max(), 1e-5);                           // mean of max-normalised maps, one image at least peaks where the average does not exceed 1
                Assert.True(a.RoiPixels > 0 && a.RoiX1 >= a.RoiX0);
                Assert.Equal(a.ImageCount, results.Count(r => r.Method == method && r.Label == a.ClassIndex && r.Predicted == a.ClassIndex));
            }
        }
    }

    [Fact]
    public async Task Bad_images_fail_alone_with_their_reason_and_the_run_completes()
    {
        var ids = ImageIds();
        string ImagePath(int i) => Path.Combine(Data, "train_images", ids[i] + ".png");
        File.WriteAllBytes(ImagePath(0), []);                                           // empty
        File.WriteAllBytes(ImagePath(1), File.ReadAllBytes(ImagePath(1))[..200]);       // truncated
        File.WriteAllBytes(ImagePath(2), "GIF89a\x01\x00\x01\x00"u8.ToArray());          // unsupported
        var corrupt = File.ReadAllBytes(ImagePath(3));
        for (int i = 100; i < corrupt.Length; i += 7) corrupt[i] ^= 0x5A;                // corrupt data
        File.WriteAllBytes(ImagePath(3), corrupt);
        File.AppendAllText(Path.Combine(Data, "train.csv"), "notthere,2\n");             // label row without image

        var outcome = await RunAsync();

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var run = outcome.Run!;
        Assert.Equal((Images + 1, Images - 4, 5), (run.Expected, run.Explained, run.Failed));
        var failures = await new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db"))).FailuresAsync(run.Id);
        string ReasonFor(string key) => failures.Single(f => f.ImageKey == key).Error;
        Assert.Contains("empty", ReasonFor($"train_images/{ids[0]}.png"));
        Assert.Contains("truncated", ReasonFor($"train_images/{ids[1]}.png"));
        Assert.Contains("GIF", ReasonFor($"train_images/{ids[2]}.png"));
        Assert.Contains("PNG", ReasonFor($"train_images/{ids[3]}.png"));
        Assert.Contains("not in the dataset", ReasonFor("notthere"));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(Out, run.Id.ToString("D"), "failures.csv")).Length);
    }

    [Fact]
    public async Task A_missing_or_invalid_model_stops_before_any_work_with_exit_code_2()
    {
        var missing = await RunAsync(model: Path.Combine(_root, "nope.json"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Null(missing.Run);
        Assert.Contains("nope.json", missing.Error);

        using var wrongLayer = new FixtureModel(GraphFixtures.GapLinear, targetLayer: "/not/a/tensor");
        var invalid = await RunAsync(model: wrongLayer.ManifestPath);
        Assert.Equal(ExitCodes.BadInput, invalid.ExitCode);
        Assert.Contains("targetLayer", invalid.Error);

        var unknownMethod = await RunAsync(methods: "crm,sorcery");
        Assert.Equal(ExitCodes.BadInput, unknownMethod.ExitCode);
        Assert.Contains("sorcery", unknownMethod.Error);

        using var generic = new FixtureModel(GraphFixtures.MlpHead, head: "generic");
        var camOnGeneric = await RunAsync(methods: "cam", model: generic.ManifestPath);
        Assert.Equal(ExitCodes.BadInput, camOnGeneric.ExitCode);
        Assert.Contains("gap-linear", camOnGeneric.Error);

        // Nothing was queued by any of them: no results were written.
        Assert.False(Directory.Exists(Out) && Directory.EnumerateFiles(Out, "*.npy", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Gradient_methods_run_with_their_options_and_record_completeness()
    {
        var outcome = await RunAsync("gradcam,ig", options: new() { ["ig-steps"] = "8", ["ig-baseline"] = "zeros" });
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(Images, outcome.Run!.Explained);
        var results = await new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db"))).AllResultsAsync(outcome.Run.Id);
        Assert.All(results.Where(r => r.Method == "ig"), r => Assert.NotNull(r.CompletenessDelta));
        Assert.All(results.Where(r => r.Method == "gradcam"), r => Assert.Null(r.CompletenessDelta));
        // IG maps are at input resolution, Grad-CAM's at the target layer's.
        Assert.All(results.Where(r => r.Method == "gradcam"), r => Assert.Equal((16, 16), (r.MapHeight, r.MapWidth)));
        var igMap = NpyFile.Read(File.ReadAllBytes(Path.Combine(Out, outcome.Run.Id.ToString("D"), "ig", "train_images", ImageIds()[0] + ".npy")));
        Assert.Equal([32, 32], igMap.Shape);

        var badOption = await RunAsync("ig", options: new() { ["ig-steps"] = "0" });
        Assert.Equal(ExitCodes.BadInput, badOption.ExitCode);
        Assert.Contains("--ig-steps", badOption.Error);
    }

    [Fact]
    public async Task Every_new_method_runs_end_to_end_with_its_options_and_builds_class_views()
    {
        string[] methods = ["gradcam++", "smoothgrad", "guidedbp", "ig", "blurig", "guidedig", "occlusion", "lime", "kernelshap", "xrai"];
        var outcome = await RunAsync(string.Join(',', methods), options: new()
        {
            ["ig-steps"] = "6", ["ig-rule"] = "gauss-legendre", ["ig-baseline"] = "noise", ["blurig-steps"] = "6", ["blur-sigma"] = "8",
            ["guidedig-steps"] = "8", ["guidedig-fraction"] = "0.3", ["guidedig-max-dist"] = "0.1",
            ["smoothgrad-samples"] = "3", ["smoothgrad-sigma"] = "0.1", ["occlusion-patch"] = "8", ["occlusion-stride"] = "4", ["occlusion-baseline"] = "blur",
            ["lime-samples"] = "24", ["kernelshap-samples"] = "24", ["superpixels"] = "12", ["superpixel-fill"] = "blur", ["xrai-dilation"] = "2", ["xrai-min-segment"] = "40",
        });
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal((Images, 0), (outcome.Run!.Explained, outcome.Run.Failed));

        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));
        var results = await store.AllResultsAsync(outcome.Run.Id);
        var aggregates = await store.ClassAggregatesAsync(outcome.Run.Id);
        var correctClasses = results.Where(r => r.Method == "ig" && r.Label == r.Predicted).Select(r => r.Predicted).Distinct().Order().ToList();
        Assert.NotEmpty(correctClasses);
        foreach (var method in methods)
        {
            var rows = results.Where(r => r.Method == method).ToList();
            Assert.Equal(Images, rows.Count);
            // Path methods record completeness; the others do not.
            bool path = method is "ig" or "blurig" or "guidedig";
            Assert.All(rows, r => Assert.Equal(path, r.CompletenessDelta is not null));
            Assert.All(rows, r => Assert.Equal(method == "gradcam++" ? (16, 16) : (32, 32), (r.MapHeight, r.MapWidth)));
            Assert.Contains(rows, r => r.MapMax > 0);
            var map = NpyFile.Read(File.ReadAllBytes(Path.Combine(Out, outcome.Run.Id.ToString("D"), method, "train_images", ImageIds()[0] + ".npy")));
            Assert.Equal([32, 32], map.Shape);
            // A class-level view per correctly classified class, like CRM's.
            Assert.Equal(correctClasses, aggregates.Where(a => a.Method == method).Select(a => a.ClassIndex).Order());
        }

        var badOption = await RunAsync("occlusion", options: new() { ["occlusion-baseline"] = "grey" });
        Assert.Equal(ExitCodes.BadInput, badOption.ExitCode);
        Assert.Contains("--occlusion-baseline", badOption.Error);
    }

    [Theory]
    [InlineData("epsilon")]
    [InlineData("alpha-beta")]
    [InlineData("composite")]
    public async Task Lrp_deeplift_and_gradshap_run_end_to_end_with_overlays_and_class_views(string lrpRule)
    {
        string[] methods = ["lrp", "deeplift", "gradshap"];
        var outcome = await RunAsync(string.Join(',', methods), options: new()
        {
            ["lrp-rule"] = lrpRule, ["lrp-epsilon"] = "0.01", ["lrp-alpha"] = "2",
            ["gradshap-samples"] = "4", ["gradshap-baselines"] = "batch", ["gradshap-sigma"] = "0.1",
        });
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal((Images, 0), (outcome.Run!.Explained, outcome.Run.Failed));

        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));
        var results = await store.AllResultsAsync(outcome.Run.Id);
        var aggregates = await store.ClassAggregatesAsync(outcome.Run.Id);
        var correctClasses = results.Where(r => r.Method == "lrp" && r.Label == r.Predicted).Select(r => r.Predicted).Distinct().Order().ToList();
        Assert.NotEmpty(correctClasses);
        foreach (var method in methods)
        {
            var rows = results.Where(r => r.Method == method).ToList();
            Assert.Equal(Images, rows.Count);
            // LRP records its conservation gap and DeepLIFT its summation-to-delta gap; GradientSHAP neither.
            Assert.All(rows, r => Assert.Equal(method != "gradshap", r.CompletenessDelta is not null));
            Assert.All(rows, r => Assert.Equal((32, 32), (r.MapHeight, r.MapWidth)));
            Assert.Contains(rows, r => r.MapMax > 0);
            var stem = Path.Combine(Out, outcome.Run.Id.ToString("D"), method, "train_images", ImageIds()[0]);
            Assert.Equal([32, 32], NpyFile.Read(File.ReadAllBytes(stem + ".npy")).Shape);
            var overlay = ImageDecoder.Decode(File.ReadAllBytes(stem + ".png"));
            Assert.Equal((512, 512), (overlay.Width, overlay.Height));
            Assert.Equal(correctClasses, aggregates.Where(a => a.Method == method).Select(a => a.ClassIndex).Order());
        }
        // The fixture is a ReLU net with a GAP → linear head: DeepLIFT sums to S_c(x) − S_c(x') (float32).
        Assert.All(results.Where(r => r.Method == "deeplift"), r => Assert.True(Math.Abs(r.CompletenessDelta!.Value) < 1e-3, $"summation-to-delta gap {r.CompletenessDelta}"));

        var badOption = await RunAsync("lrp", options: new() { ["lrp-rule"] = "gamma" });
        Assert.Equal(ExitCodes.BadInput, badOption.ExitCode);
        Assert.Contains("--lrp-rule", badOption.Error);
    }

    [Fact]
    public async Task Generic_heads_run_crm_by_ablation_end_to_end()
    {
        using var generic = new FixtureModel(GraphFixtures.MlpHead, head: "generic", fundusCrop: true);
        var outcome = await RunAsync(methods: "crm", model: generic.ManifestPath);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(Images, outcome.Run!.Explained);
    }
}
