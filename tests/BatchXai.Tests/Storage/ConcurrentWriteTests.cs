using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary>Several workers in one process write batches to one SQLite file at once (WAL, busy timeout).</summary>
public sealed class ConcurrentWriteTests : IAsyncLifetime
{
    private const int Workers = 8, BatchesPerWorker = 6, ImagesPerBatch = 5;
    private static readonly string[] Methods = ["crm", "ig"];

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Batch b of worker w: its last image fails, the others get one row per method.</summary>
    private static (List<string> Keys, List<ImageResultRow> Results, List<ImageFailureRow> Failures) Batch(int w, int b)
    {
        var keys = Enumerable.Range(0, ImagesPerBatch).Select(i => $"w{w}/b{b}/img{i}.png").ToList();
        var results = keys[..^1].SelectMany((k, i) => Methods.Select((m, j) => RowFactory.Result(k, m, w * 1000 + b * 10 + i + j))).ToList();
        return (keys, results, [RowFactory.Failure(keys[^1])]);
    }

    [Fact]
    public async Task Concurrent_batches_all_land_with_exact_counts()
    {
        var run = await _db.NewRunAsync(expected: Workers * BatchesPerWorker * ImagesPerBatch);

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < BatchesPerWorker; b++)
            {
                var (keys, results, failures) = Batch(w, b);
                await _db.Store.SaveBatchAsync(run.Id, keys, results, failures);
                await _db.Store.RefreshProgressAsync(run.Id);
            }
        })));

        int explained = Workers * BatchesPerWorker * (ImagesPerBatch - 1), failed = Workers * BatchesPerWorker;
        Assert.Equal(explained * Methods.Length, _db.Scalar("SELECT COUNT(*) FROM image_results"));
        Assert.Equal(explained, _db.Scalar("SELECT COUNT(DISTINCT image_key) FROM image_results"));
        Assert.Equal(failed, _db.Scalar("SELECT COUNT(*) FROM image_failures"));
        var progress = await _db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((explained, failed, true), (progress.Explained, progress.Failed, progress.AllAccountedFor));
    }

    [Fact]
    public async Task The_same_batch_delivered_to_several_workers_at_once_is_stored_once()
    {
        var run = await _db.NewRunAsync(expected: ImagesPerBatch);

        // Each delivery builds its own rows, as separate worker processes would.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var (keys, results, failures) = Batch(0, 0);
            await _db.Store.SaveBatchAsync(run.Id, keys, results, failures);
        })));

        Assert.Equal((ImagesPerBatch - 1) * Methods.Length, _db.Scalar("SELECT COUNT(*) FROM image_results"));
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM image_failures"));
        var progress = await _db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((ImagesPerBatch - 1, 1), (progress.Explained, progress.Failed));
    }

    [Fact]
    public async Task Two_open_factories_on_one_file_write_concurrently()
    {
        // Two processes of the embedded mode (say a worker and the coordinator) each open the file.
        var second = new ResultStore(await SqliteDatabase.OpenAsync(_db.FilePath));
        var run = await _db.NewRunAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? _db.Store : second;
            for (int b = 0; b < BatchesPerWorker; b++)
            {
                var (keys, results, failures) = Batch(w, b);
                await store.SaveBatchAsync(run.Id, keys, results, failures);
            }
        })));

        var progress = await second.RefreshProgressAsync(run.Id);
        Assert.Equal((4 * BatchesPerWorker * (ImagesPerBatch - 1), 4 * BatchesPerWorker), (progress.Explained, progress.Failed));
    }
}
