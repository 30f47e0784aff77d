using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// ResultStore, unchanged, on PostgreSQL: the shared <see cref="ResultStoreContract"/>, plus what
/// only a server database shows (bytea bytes, timestamptz kinds, many workers writing at once).
/// Tests share one database and keep to their own runs.
/// </summary>
public sealed class PostgresResultStoreTests(PostgresTestDatabase db) : ResultStoreContract, IClassFixture<PostgresTestDatabase>
{
    protected override ResultStore Store => db.Store;

    protected override Task<RunRow> NewRunAsync(int expected = 10) => db.NewRunAsync(expected);

    protected override Task<long> CountAsync(string table, Guid runId) => db.CountAsync(table, runId);

    protected override T AsStored<T>(T row) => PostgresTestDatabase.AsStored(row);

    [Fact]
    public async Task Run_timestamps_come_back_as_utc()
    {
        var run = await db.NewRunAsync();
        Assert.Equal(DateTimeKind.Utc, (await db.Store.FindRunAsync(run.Id))!.CreatedAt.Kind);
    }

    [Fact]
    public async Task Spray_cluster_rows_round_trip_and_are_replaced()
    {
        var run = await db.NewRunAsync();
        SprayClusterRow Cluster(int index, bool candidate) => new()
        {
            Method = "crm", ClassIndex = 3, ClassName = "severe", ClusterIndex = index, ClusterCount = 2, ClassImageCount = 46,
            Size = index == 0 ? 36 : 10, Eigengap = 0.2941, Spread = 0.44 + index, DistanceToMain = index * 0.82, Candidate = candidate,
            MembersJson = "[\"a.png\",\"b.png\"]", GridSide = 2, MeanMap = [0, 0, 128, 63, 0, 0, 0, 63, 1, 2, 3, 4, 255, 255, 127, 127],
            NpyUri = $"s3://b/spray/{index}.npy", PngUri = $"s3://b/spray/{index}.png",
        };
        await db.Store.ReplaceSprayClustersAsync(run.Id, [Cluster(9, false)]);
        var rows = new List<SprayClusterRow> { Cluster(1, true), Cluster(0, false) };
        await db.Store.ReplaceSprayClustersAsync(run.Id, rows);
        var read = await db.Store.SprayClustersAsync(run.Id);

        Assert.Equal(2, read.Count);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(rows[1]), read[0]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(rows[0]), read[1]);
        Assert.True(read[1].Candidate);
        Assert.Equal(rows[0].MeanMap, read[1].MeanMap);
    }

    [Fact]
    public async Task The_low_resolution_map_is_stored_as_the_exact_bytes()
    {
        var run = await db.NewRunAsync();
        var row = RowFactory.Result("a.png", "crm", seed: 9);

        await db.Store.SaveBatchAsync(run.Id, ["a.png"], [row], []);

        // Read through plain SQL, not EF: bytea holds the float32 bytes unchanged.
        var stored = await db.QueryAsync("SELECT map_low_res FROM image_results WHERE run_id = @run", r => (byte[])r[0], ("run", run.Id));
        Assert.Equal(row.MapLowRes, Assert.Single(stored));
    }

    [Fact]
    public async Task The_same_batch_delivered_to_several_workers_at_once_is_stored_once()
    {
        var run = await db.NewRunAsync(expected: 5);
        string[] keys = ["a", "b", "c", "d", "e"];

        // Each delivery builds its own rows, as separate worker processes would. Without the
        // per-image locks these interleave into unique violations and deadlocks.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            db.Store.SaveBatchAsync(run.Id, keys, Results(keys[..4], 0, "crm", "ig"), [RowFactory.Failure("e")]))));

        Assert.Equal(8, await db.CountAsync("image_results", run.Id));
        Assert.Equal(1, await db.CountAsync("image_failures", run.Id));
        var progress = await db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((4, 1), (progress.Explained, progress.Failed));
    }

    [Fact]
    public async Task Concurrent_batches_of_many_workers_all_land_with_exact_counts()
    {
        const int workers = 8, batches = 5, images = 4;
        var run = await db.NewRunAsync(expected: workers * batches * images);

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < batches; b++)
            {
                var keys = Enumerable.Range(0, images).Select(i => $"w{w}/b{b}/img{i}.png").ToList();
                await db.Store.SaveBatchAsync(run.Id, keys, Results(keys[..^1], w * 100 + b * 10, "crm", "ig"), [RowFactory.Failure(keys[^1])]);
                await db.Store.RefreshProgressAsync(run.Id);
            }
        })));

        int explained = workers * batches * (images - 1), failed = workers * batches;
        Assert.Equal(explained * 2, await db.CountAsync("image_results", run.Id));
        var progress = await db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((explained, failed, true), (progress.Explained, progress.Failed, progress.AllAccountedFor));
    }
}
