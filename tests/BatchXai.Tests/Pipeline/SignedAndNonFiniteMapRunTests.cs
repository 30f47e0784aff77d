using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// Through the embedded pipeline: a method whose map holds NaN for one image fails that (image,
/// method) only, naming the method, while everything else of the batch is stored; and IG's maps are
/// stored signed and overlaid in both colours of the diverging map.
/// </summary>
public sealed class SignedAndNonFiniteMapRunTests : IDisposable
{
    private const int Side = 32;
    private static readonly string NanModel = Path.Combine(AppContext.BaseDirectory, "Pipeline", "Fixtures", "nan_gradient_on_black.onnx");
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-nonfinite-").FullName;

    private string Data => Path.Combine(_root, "data");
    private string Out => Path.Combine(_root, "out");

    public SignedAndNonFiniteMapRunTests()
    {
        // Three grey images with some texture and one all-black image (the NaN model's trigger).
        Directory.CreateDirectory(Data);
        var random = new Random(3);
        var keys = new[] { "grey_a.png", "grey_b.png", "black.png", "grey_c.png" };
        foreach (var key in keys)
        {
            var image = new RgbImage(Side, Side);
            if (key != "black.png")
                for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)random.Next(96, 160);
            File.WriteAllBytes(Path.Combine(Data, key), PngEncoder.Encode(image));
        }
        File.WriteAllLines(Path.Combine(Data, "labels.csv"), ["key,label", .. keys.Select((k, i) => $"{k},{i % 5}")]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<(RunRow Run, ResultStore Store)> RunAsync(FixtureModel model, string methods)
    {
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, model.ManifestPath, methods, Out), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.True(outcome.ExitCode == ExitCodes.Ok, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Equal(RunStatus.Completed, outcome.Run!.Status);
        return (outcome.Run!, new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db"))));
    }

    [Fact]
    public async Task A_nan_map_fails_that_image_for_that_method_and_the_rest_of_the_batch_is_stored()
    {
        using var model = new FixtureModel("nan_gradient_on_black", targetLayer: "/lift/Relu_output_0", onnxPath: NanModel);

        var (run, store) = await RunAsync(model, "saliency,gradcam");

        // The black image still has its Grad-CAM map, so it counts as explained; nothing else failed.
        Assert.Equal((4, 4, 0), (run.Expected, run.Explained, run.Failed));
        var results = await store.AllResultsAsync(run.Id);
        Assert.Equal(["black.png", "grey_a.png", "grey_b.png", "grey_c.png"], results.Where(r => r.Method == "gradcam").Select(r => r.ImageKey));
        Assert.Equal(["grey_a.png", "grey_b.png", "grey_c.png"], results.Where(r => r.Method == "saliency").Select(r => r.ImageKey));
        Assert.All(results, r => Assert.True(double.IsFinite(r.MapMax) && double.IsFinite(r.MapMean)));
        var failure = Assert.Single(await store.FailuresAsync(run.Id));
        Assert.Equal(("black.png", FailureStage.Explain), (failure.ImageKey, failure.Stage));
        Assert.Contains("saliency", failure.Error);
        Assert.Contains("NaN", failure.Error);
        Assert.DoesNotContain("gradcam", failure.Error);
        var runDir = Path.Combine(Out, run.Id.ToString("D"));
        Assert.False(File.Exists(Path.Combine(runDir, "saliency", "black.npy")));
        Assert.True(File.Exists(Path.Combine(runDir, "gradcam", "black.npy")));

        // With no other method, the black image has no map at all: then it is a failed image.
        var (alone, aloneStore) = await RunAsync(model, "saliency");
        Assert.Equal((4, 3, 1), (alone.Expected, alone.Explained, alone.Failed));
        Assert.Equal("black.png", Assert.Single(await aloneStore.FailuresAsync(alone.Id)).ImageKey);
    }

    [Fact]
    public async Task Integrated_gradients_maps_are_stored_signed_and_overlaid_red_for_and_blue_against()
    {
        using var model = new FixtureModel(GraphFixtures.GapLinear);

        var (run, _) = await RunAsync(model, "ig");

        var runDir = Path.Combine(Out, run.Id.ToString("D"));
        var map = NpyFile.Read(File.ReadAllBytes(Path.Combine(runDir, "ig", "grey_a.npy"))).Data;
        Assert.Contains(map, v => v < 0);
        Assert.Contains(map, v => v > 0);
        var overlay = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(runDir, "ig", "grey_a.png")));
        int red = 0, blue = 0;
        for (int p = 0; p < overlay.Width * overlay.Height; p++)
        {
            int r = overlay.Pixels[3 * p], b = overlay.Pixels[3 * p + 2];
            if (r - b > 40) red++;
            if (b - r > 40) blue++;
        }
        Assert.True(red > 0 && blue > 0, $"the overlay shows both colours: {red} red and {blue} blue pixels");
    }
}
