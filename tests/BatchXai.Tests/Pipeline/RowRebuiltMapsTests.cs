using BatchXai.Aggregator;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// The aggregation pass rebuilds CAM/CRM maps from the grid their rows hold instead of reading the
/// input-size .npy (issue 17): the rebuilt map is the worker's stored file bit for bit, the class
/// views come out the same without the files, and maps whose row holds only a resample (saliency,
/// input-size) are still read.
/// </summary>
public sealed class RowRebuiltMapsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-rowmaps-").FullName;
    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Crm_maps_are_rebuilt_from_their_rows_and_saliency_maps_are_read()
    {
        using var embedded = await EmbeddedRun.CompleteAsync(_root, 12, seed: 11, Localisation.PointingGameTests.BundledModel("dr_grader.json"), ["crm", "saliency"], batchSize: 6);
        var (store, run) = (embedded.Store, embedded.Run);
        Assert.True(run.Status == RunStatus.Completed, $"{run.Status}: {run.Error}");

        // Every CRM row rebuilds its stored map exactly (read here with the .npy reader, not the pass).
        var crm = await store.ResultsAsync(run.Id, "crm");
        foreach (var row in crm)
        {
            var stored = NpyFile.Read(await File.ReadAllBytesAsync(new Uri(row.NpyUri).LocalPath));
            var rebuilt = StoredMaps.FromRow(row, stored.Shape[0], stored.Shape[1]);
            Assert.NotNull(rebuilt);
            Assert.True(row.MapHeight * row.MapWidth < stored.Shape[0] * stored.Shape[1], $"{row.ImageKey}: the row holds {row.MapHeight}x{row.MapWidth}");
            Assert.Equal(stored.Data, rebuilt.Values);
        }
        // The grader's saliency map is 160x160; its row holds a 32x32 resample: it cannot rebuild it.
        var saliency = await store.ResultsAsync(run.Id, "saliency");
        var saliencyFile = NpyFile.Read(await File.ReadAllBytesAsync(new Uri(saliency[0].NpyUri).LocalPath));
        Assert.NotEqual(saliencyFile.Data, StoredMaps.FromRow(saliency[0], saliencyFile.Shape[0], saliencyFile.Shape[1])!.Values);

        var views = await ViewsAsync(store, run.Id);
        // The pass reads the method's first map (by image key) to check the rebuild; the others are no longer needed.
        foreach (var row in crm.Skip(1)) File.Delete(new Uri(row.NpyUri).LocalPath);
        await new ClassViewBuilder(store).BuildAsync(run, CancellationToken.None);
        Assert.Equal(views, await ViewsAsync(store, run.Id));

        // Saliency maps are read: one missing fails the pass, naming it.
        File.Delete(new Uri(saliency[^1].NpyUri).LocalPath);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => new ClassViewBuilder(store).BuildAsync(run, CancellationToken.None));
        Assert.Contains(Path.GetFileNameWithoutExtension(saliency[^1].ImageKey), e.Message);
        await embedded.StopAsync();
    }

    private static async Task<List<string>> ViewsAsync(ResultStore store, Guid runId) =>
        (await store.ClassAggregatesAsync(runId)).Select(a =>
            $"{a.Method} {a.ClassIndex} {a.ImageCount} {a.RoiPixels} {a.RoiX0},{a.RoiY0},{a.RoiX1},{a.RoiY1} {a.ScoreMean:R} {a.ScoreHistogramJson} " +
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(new Uri(a.NpyUri).LocalPath)))).ToList();
}
