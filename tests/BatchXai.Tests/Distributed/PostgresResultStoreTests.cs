using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// ResultStore, unchanged, on PostgreSQL: every row type round-trips, batch writes are idempotent
/// under redelivery, progress is recounted, and conditional transitions and aggregate
/// replacement hold under concurrency. Tests share one database and keep to their own runs.
/// </summary>
public sealed class PostgresResultStoreTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>
{
    private static List<ImageResultRow> Results(IEnumerable<string> keys, int seed, params string[] methods) =>
        keys.SelectMany((k, i) => methods.Select((m, j) => RowFactory.Result(k, m, seed + 10 * i + j))).ToList();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_rows_round_trip(bool withNullables)
    {
        var run = RowFactory.Run(expected: 35126);
        run.Explained = 17;
        run.Failed = 3;
        run.Error = withNullables ? "model refused: input 'x' has shape [1,3,224,224], manifest says 299" : null;
        run.CompletedAt = withNullables ? new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(123456 * 10) : null;

        await db.Store.CreateRunAsync(run);
        var read = await db.Store.FindRunAsync(run.Id);

        Assert.NotNull(read);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(run), read);
        Assert.Equal(DateTimeKind.Utc, read.CreatedAt.Kind);
        Assert.Null(await db.Store.FindRunAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Image_result_rows_round_trip_with_and_without_nullable_fields()
    {
        var run = await db.NewRunAsync();
        var rows = new List<ImageResultRow>
        {
            RowFactory.Result("train/a.jpeg", "crm", seed: 1, withNullables: true),
            RowFactory.Result("train/b.jpeg", "crm", seed: 2, withNullables: false),
            RowFactory.Result("train/a.jpeg", "ig", seed: 3, withNullables: true),
        };

        await db.Store.SaveBatchAsync(run.Id, ["train/a.jpeg", "train/b.jpeg"], rows, []);
        var read = await db.Store.AllResultsAsync(run.Id);

        // AllResultsAsync orders by image key, then method.
        Assert.Equal(3, read.Count);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(rows[0]), read[0]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(rows[2]), read[1]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(rows[1]), read[2]);
        Assert.Null(read[2].Label);
        Assert.Null(read[2].CompletenessDelta);
        Assert.Equal(3, read.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Image_failure_and_class_aggregate_rows_round_trip()
    {
        var run = await db.NewRunAsync();
        var failures = new List<ImageFailureRow> { RowFactory.Failure("z.png", "enumerate"), RowFactory.Failure("a.png", "decode") };
        var aggregates = new List<ClassAggregateRow> { RowFactory.Aggregate(2, 5), RowFactory.Aggregate(0, 6) };

        await db.Store.SaveFailuresAsync(run.Id, failures);
        await db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", aggregates);
        var readFailures = await db.Store.FailuresAsync(run.Id);
        var readAggregates = await db.Store.ClassAggregatesAsync(run.Id);

        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(failures[1]), readFailures[0]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(failures[0]), readFailures[1]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(aggregates[1]), readAggregates[0]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(aggregates[0]), readAggregates[1]);
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
    public async Task A_redelivered_batch_changes_no_counts_and_keeps_the_latest_values()
    {
        var run = await db.NewRunAsync(expected: 4);
        string[] keys = ["a.png", "b.png", "c.png", "d.png"];

        await db.Store.SaveBatchAsync(run.Id, keys, Results(keys[..3], 0, "crm", "ig"), [RowFactory.Failure("d.png")]);
        var redelivered = Results(keys[..3], 100, "crm", "ig");
        await db.Store.SaveBatchAsync(run.Id, keys, redelivered, [RowFactory.Failure("d.png")]);

        Assert.Equal(6, await db.CountAsync("image_results", run.Id));
        Assert.Equal(1, await db.CountAsync("image_failures", run.Id));
        var stored = await db.Store.AllResultsAsync(run.Id);
        foreach (var expected in redelivered)
            RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(expected), stored.Single(r => r.ImageKey == expected.ImageKey && r.Method == expected.Method));
        var progress = await db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((3, 1, true), (progress.Explained, progress.Failed, progress.AllAccountedFor));
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
    public async Task Progress_counts_an_image_with_two_methods_once_and_is_stored_on_the_run()
    {
        var run = await db.NewRunAsync(expected: 5);
        await db.Store.SaveBatchAsync(run.Id, ["a", "b", "c"], Results(["a", "b", "c"], 0, "crm", "ig"), []);
        await db.Store.SaveBatchAsync(run.Id, ["d"], [], [RowFactory.Failure("d")]);

        var progress = await db.Store.RefreshProgressAsync(run.Id);

        Assert.Equal(new RunProgress(run.Id, RunStatus.Running, 5, 3, 1), progress);
        var stored = (await db.QueryAsync("SELECT explained, failed, updated_at FROM runs WHERE id = @id",
            r => (r.GetInt32(0), r.GetInt32(1), r.GetDateTime(2)), ("id", run.Id))).Single();
        Assert.Equal((3, 1), (stored.Item1, stored.Item2));
        Assert.True(stored.Item3 >= PostgresTestDatabase.AsStored(run).UpdatedAt);

        await db.Store.SaveBatchAsync(run.Id, ["e"], Results(["e"], 50, "crm"), []);
        Assert.True((await db.Store.RefreshProgressAsync(run.Id)).AllAccountedFor);
    }

    [Fact]
    public async Task A_later_success_removes_the_earlier_failure_and_other_runs_are_untouched()
    {
        var run = await db.NewRunAsync(expected: 2);
        var other = await db.NewRunAsync();
        await db.Store.SaveBatchAsync(other.Id, ["b.png"], [], [RowFactory.Failure("b.png")]);
        await db.Store.SaveBatchAsync(run.Id, ["a.png", "b.png"], Results(["a.png"], 0, "crm"), [RowFactory.Failure("b.png")]);

        await db.Store.SaveBatchAsync(run.Id, ["b.png"], Results(["b.png"], 5, "crm"), []);

        Assert.Empty(await db.Store.FailuresAsync(run.Id));
        Assert.Equal(["a.png", "b.png"], (await db.Store.ResultsAsync(run.Id, "crm")).Select(r => r.ImageKey));
        Assert.Equal(["b.png"], (await db.Store.FailuresAsync(other.Id)).Select(f => f.ImageKey));
        Assert.Equal(["a.png", "b.png"], (await db.Store.ResultsKeysAsync(run.Id, ["a.png", "b.png", "x.png"])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Of_many_concurrent_identical_transitions_exactly_one_wins()
    {
        var run = await db.NewRunAsync();
        var other = await db.NewRunAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Task.Run(() => db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating))));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Equal(RunStatus.Aggregating, (await db.Store.FindRunAsync(run.Id))!.Status);
        Assert.Equal(RunStatus.Running, (await db.Store.FindRunAsync(other.Id))!.Status);
    }

    [Fact]
    public async Task Transitions_keep_or_record_the_error_and_stamp_completion()
    {
        var run = await db.NewRunAsync();
        Assert.True(await db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating, "2 images failed"));
        Assert.Null((await db.Store.FindRunAsync(run.Id))!.CompletedAt);
        var before = DateTime.UtcNow;

        Assert.True(await db.Store.TryTransitionAsync(run.Id, RunStatus.Aggregating, RunStatus.Completed));
        Assert.False(await db.Store.TryTransitionAsync(run.Id, RunStatus.Aggregating, RunStatus.Failed, "late"));

        var stored = await db.Store.FindRunAsync(run.Id);
        Assert.Equal((RunStatus.Completed, "2 images failed"), (stored!.Status, stored.Error));
        Assert.InRange(stored.CompletedAt!.Value, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Replacing_class_aggregates_twice_gives_the_same_rows_and_leaves_other_methods()
    {
        var run = await db.NewRunAsync();
        await db.Store.ReplaceClassAggregatesAsync(run.Id, "ig", [RowFactory.Aggregate(1, 1)]);
        await db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", [RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3)]);

        var second = new List<ClassAggregateRow> { RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3) };
        await db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", second);
        var read = await db.Store.ClassAggregatesAsync(run.Id);

        Assert.Equal([("crm", 0), ("crm", 1), ("ig", 1)], read.Select(r => (r.Method, r.ClassIndex)));
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(second[0]), read[0]);
        RowFactory.AssertSameColumns(PostgresTestDatabase.AsStored(second[1]), read[1]);
        Assert.Equal(3, await db.CountAsync("class_aggregates", run.Id));
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
