using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// <c>--methods clear</c> through the embedded pipeline on the fully convolutional grader: the
/// per-image CLEAR outputs (D, R, Ĉ, composite), the class views built on D, and CLEAR's
/// dominance counts in the database and dominance.csv.
/// </summary>
public sealed class ClearRunTests : IDisposable
{
    private const int Images = 12;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-clear-run-").FullName;

    private string Data => Path.Combine(_root, "data");
    private string Out => Path.Combine(_root, "out");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Clear_writes_its_maps_composites_class_views_and_dominance_counts()
    {
        SampleDatasetWriter.Write(Data, Images, seed: 33, new SampleDataOptions { Size = 160 });
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("dr_fcn.json"), "clear", Out),
            EmbeddedRunner.Quietly, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var run = outcome.Run!;
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(Images, run.Explained);
        var runDir = Path.Combine(Out, run.Id.ToString("D"));
        foreach (var id in File.ReadAllLines(Path.Combine(Data, "train.csv")).Skip(1).Select(l => l.Split(',')[0]))
        {
            var stem = Path.Combine(runDir, "clear", "train_images", id);
            var d = NpyFile.Read(File.ReadAllBytes(stem + ".npy"));
            var r = NpyFile.Read(File.ReadAllBytes(stem + ".responses.npy"));
            var c = NpyFile.Read(File.ReadAllBytes(stem + ".dominant_class.npy"));
            Assert.Equal([160, 160], d.Shape);
            Assert.Equal([5, 160, 160], r.Shape);
            Assert.Equal([160, 160], c.Shape);
            Assert.Equal(NpyDType.Int32, c.DType);
            for (int p = 0; p < d.Data.Length; p++)
            {
                int dominant = (int)c.Data[p];
                if (dominant < 0) { Assert.Equal(0f, d.Data[p]); continue; }
                Assert.Equal(r.Data[dominant * d.Data.Length + p], d.Data[p]);      // D = R(x|Ĉ)
                for (int k = 0; k < 5; k++) Assert.True(r.Data[k * d.Data.Length + p] <= d.Data[p]); // Ĉ = argmax
            }
            var composite = ImageDecoder.Decode(File.ReadAllBytes(stem + ".png"));
            Assert.Equal(160, composite.Width);
            Assert.True(composite.Height > 160, "the composite carries its legend under the image");
        }

        var store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(Out, "batchxai.db")));
        var results = await store.ResultsAsync(run.Id, "clear");
        var correctClasses = results.Where(x => x.Label == x.Predicted).Select(x => x.Predicted).Distinct().Order().ToList();
        Assert.Equal(correctClasses, (await store.ClassAggregatesAsync(run.Id)).Where(a => a.Method == "clear").Select(a => a.ClassIndex));

        var dominance = await store.ClassDominanceAsync(run.Id);
        Assert.Equal(correctClasses.Count * 5, dominance.Count);
        foreach (var group in dominance.GroupBy(x => x.ClassIndex))
        {
            Assert.Equal(results.Count(x => x.Label == group.Key && x.Predicted == group.Key), group.First().ImageCount);
            Assert.InRange(group.Sum(x => x.FovPixelShare), 0.5, 1 + 1e-9);    // the rest: pixels no class responds to
            Assert.Equal(1, group.Sum(x => x.AttentivePixelShare), 1e-9);
            Assert.Equal(group.First().ImageCount, group.Sum(x => x.ImagesDominated));
        }
        var csv = File.ReadAllLines(Path.Combine(runDir, "dominance.csv"));
        Assert.StartsWith("method,class_index,class_name,selection,dominant_class", csv[0]);
        Assert.Equal(1 + dominance.Count, csv.Length);
    }
}
