using BatchXai.Aggregator;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Worker;

namespace BatchXai.Tests.Pipeline;

/// <summary>At-least-once delivery: a batch explained twice, or a run aggregated twice, changes nothing.</summary>
public sealed class RedeliveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-redeliver-").FullName;
    private readonly FixtureModel _model = new(GraphFixtures.GapLinear, fundusCrop: true);

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Explaining_a_batch_again_and_aggregating_again_leave_rows_and_counts_unchanged()
    {
        using var embedded = await EmbeddedRun.CompleteAsync(_root, 12, seed: 5, _model.ManifestPath, ["crm", "cam"], batchSize: 5);
        var (store, run) = (embedded.Store, embedded.Run);
        Assert.Equal(RunStatus.Completed, run.Status);

        var before = await store.AllResultsAsync(run.Id);
        var aggregatesBefore = await store.ClassAggregatesAsync(run.Id);

        // The first batch, delivered again (same run, same images, same settings).
        var firstBatch = before.Select(r => r.ImageKey).Distinct().Order(StringComparer.Ordinal).Take(5)
            .Select(k => new ImageRef(k, before.First(r => r.ImageKey == k).Label)).ToList();
        var redelivered = new ExplainBatch(run.Id, 0, RunInfo.Of(run).Settings, firstBatch);
        var explainer = embedded.Get<BatchExplainer>();
        // The copies arrive while the run is still running (a completed run's copies are skipped: the test below).
        Assert.True(await store.TryTransitionAsync(run.Id, RunStatus.Completed, RunStatus.Running));
        Assert.False((await explainer.ExplainAsync(redelivered, CancellationToken.None)).Skipped);
        Assert.False((await explainer.ExplainAsync(redelivered, CancellationToken.None)).Skipped);
        var progress = await store.RefreshProgressAsync(run.Id);

        var after = await store.AllResultsAsync(run.Id);
        Assert.Equal(before.Count, after.Count);
        Assert.Equal((12, 12, 0), (progress.Expected, progress.Explained, progress.Failed));
        Assert.Equal(before.Select(r => (r.ImageKey, r.Method, r.Predicted, r.MapMax)), after.Select(r => (r.ImageKey, r.Method, r.Predicted, r.MapMax)));

        await new ClassViewBuilder(store).BuildAsync(run, CancellationToken.None);
        var aggregatesAfter = await store.ClassAggregatesAsync(run.Id);
        Assert.Equal(
            aggregatesBefore.Select(a => (a.Method, a.ClassIndex, a.ImageCount, a.RoiPixels, a.ScoreMean, a.ScoreHistogramJson)),
            aggregatesAfter.Select(a => (a.Method, a.ClassIndex, a.ImageCount, a.RoiPixels, a.ScoreMean, a.ScoreHistogramJson)));
        await embedded.StopAsync();
    }

    [Fact]
    public async Task A_late_copy_of_a_batch_of_a_completed_run_is_acknowledged_without_work()
    {
        using var embedded = await EmbeddedRun.CompleteAsync(_root, 6, seed: 7, _model.ManifestPath, ["crm"], batchSize: 3);
        var (store, run) = (embedded.Store, embedded.Run);
        Assert.Equal(RunStatus.Completed, run.Status);
        var before = await store.AllResultsAsync(run.Id);
        // One map removed from the store: explaining the batch again would write it back.
        var removed = before[0];
        var removedMap = new Uri(removed.NpyUri).LocalPath;
        Assert.True(File.Exists(removedMap), $"map of {removed.ImageKey} not found at {removed.NpyUri}");
        File.Delete(removedMap);

        var late = new ExplainBatch(run.Id, 0, RunInfo.Of(run).Settings, [new ImageRef(removed.ImageKey, removed.Label)]);
        var outcome = await embedded.Get<BatchExplainer>().ExplainAsync(late, CancellationToken.None);

        Assert.True(outcome.Skipped);
        Assert.False(File.Exists(removedMap), "the late copy rewrote a map of a completed run");
        var after = await store.AllResultsAsync(run.Id);
        Assert.Equal(before.Select(r => (r.ImageKey, r.Method, r.CreatedAt)), after.Select(r => (r.ImageKey, r.Method, r.CreatedAt)));
        Assert.Equal(RunStatus.Completed, (await store.FindRunAsync(run.Id))!.Status);
        await embedded.StopAsync();
    }
}
