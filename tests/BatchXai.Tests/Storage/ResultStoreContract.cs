using BatchXai.Contracts;
using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary>
/// What every results database must do through <see cref="ResultStore"/>, written once and run on
/// each (SQLite: <see cref="SqliteResultStoreTests"/>; PostgreSQL: Distributed.PostgresResultStoreTests):
/// every row type round-trips, batch writes are idempotent under redelivery, progress is recounted,
/// transitions are conditional. Tests keep to their own runs, so a database may be shared.
/// </summary>
public abstract class ResultStoreContract
{
    protected abstract ResultStore Store { get; }

    protected abstract Task<RunRow> NewRunAsync(int expected = 10);

    /// <summary>A count over one run's rows of a table, read past the store (plain SQL).</summary>
    protected abstract Task<long> CountAsync(string table, Guid runId);

    /// <summary>A row as the database gives it back (PostgreSQL keeps microseconds, not 100 ns ticks).</summary>
    protected virtual T AsStored<T>(T row) => row;

    protected static List<ImageResultRow> Results(IEnumerable<string> keys, int seed, params string[] methods) =>
        keys.SelectMany((k, i) => methods.Select((m, j) => RowFactory.Result(k, m, seed + 10 * i + j))).ToList();

    private async Task<(int Explained, int Failed)> CountsAsync(Guid runId)
    {
        var p = await Store.RefreshProgressAsync(runId);
        return (p.Explained, p.Failed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_rows_round_trip(bool withNullables)
    {
        var run = RowFactory.Run(expected: 35126);
        run.Methods = "crm,clear,ig";
        run.Target = "label";
        run.ClassNamesJson = "[\"none\",\"mild\",\"moderate\",\"severe\",\"proliferative\"]";
        run.Explained = 17;
        run.Failed = 3;
        run.Error = withNullables ? "model refused: input 'x' has shape [1,3,224,224], manifest says 299" : null;
        run.CompletedAt = withNullables ? new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(123456 * 10) : null;

        await Store.CreateRunAsync(run);
        var read = await Store.FindRunAsync(run.Id);

        Assert.NotNull(read);
        Assert.NotEqual(default, run.CreatedAt);
        RowFactory.AssertSameColumns(AsStored(run), read);
        Assert.Null(await Store.FindRunAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Image_result_rows_round_trip_with_and_without_nullable_fields()
    {
        var run = await NewRunAsync();
        var rows = new List<ImageResultRow>
        {
            RowFactory.Result("train/a.jpeg", "crm", seed: 1, withNullables: true),
            RowFactory.Result("train/b.jpeg", "crm", seed: 2, withNullables: false),
            RowFactory.Result("train/a.jpeg", "ig", seed: 3, withNullables: true),
        };

        await Store.SaveBatchAsync(run.Id, ["train/a.jpeg", "train/b.jpeg"], rows, []);
        var read = await Store.AllResultsAsync(run.Id);

        // AllResultsAsync orders by image key, then method.
        Assert.Equal(3, read.Count);
        RowFactory.AssertSameColumns(AsStored(rows[0]), read[0]);
        RowFactory.AssertSameColumns(AsStored(rows[2]), read[1]);
        RowFactory.AssertSameColumns(AsStored(rows[1]), read[2]);
        Assert.Null(read[2].Label);
        Assert.Null(read[2].CompletenessDelta);
        Assert.All(read, r => Assert.Equal(run.Id, r.RunId));
        Assert.Equal(3, read.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Image_failure_rows_round_trip()
    {
        var run = await NewRunAsync();
        var failures = new List<ImageFailureRow> { RowFactory.Failure("z.png", "enumerate"), RowFactory.Failure("a.png", "decode") };

        await Store.SaveFailuresAsync(run.Id, failures);
        var read = await Store.FailuresAsync(run.Id);

        Assert.Equal(["a.png", "z.png"], read.Select(f => f.ImageKey));
        RowFactory.AssertSameColumns(AsStored(failures[1]), read[0]);
        RowFactory.AssertSameColumns(AsStored(failures[0]), read[1]);
    }

    [Fact]
    public async Task Class_aggregate_rows_round_trip()
    {
        var run = await NewRunAsync();
        var rows = new List<ClassAggregateRow> { RowFactory.Aggregate(2, 5), RowFactory.Aggregate(0, 6) };

        await Store.ReplaceClassAggregatesAsync(run.Id, "crm", rows);
        var read = await Store.ClassAggregatesAsync(run.Id);

        Assert.Equal([0, 2], read.Select(r => r.ClassIndex));
        Assert.All(read, r => Assert.Equal("crm", r.Method));
        RowFactory.AssertSameColumns(AsStored(rows[1]), read[0]);
        RowFactory.AssertSameColumns(AsStored(rows[0]), read[1]);
    }

    [Fact]
    public async Task Causal_check_rows_round_trip_with_and_without_a_box_and_are_replaced()
    {
        var run = await NewRunAsync();
        static CausalCheckRow Check(int classIndex, string region, bool box) => new()
        {
            ClassIndex = classIndex, ClassName = $"grade{classIndex}", Region = region, RegionKind = box ? "ClusterHotRegion" : "OutsideFieldOfView",
            Method = box ? "crm" : "model", ClusterIndex = box ? 2 : null, BoxX0 = box ? 0.625 : null, BoxY0 = box ? 0.25 : null,
            BoxX1 = box ? 0.75 : null, BoxY1 = box ? 0.375 : null, ImagesMasked = 17, MeanScore = 0.875, MeanScoreDrop = 0.5, FlipRate = 0.25,
            InsideFovShare = box ? 1 : 0, OutsideAnatomy = !box, Severity = box ? "warning" : "critical", ImagesJson = "[\"a\",\"b\"]", FlippedJson = "[\"a\"]",
        };
        await Store.ReplaceCausalChecksAsync(run.Id, [Check(0, "colour", false)]);
        var rows = new List<CausalCheckRow> { Check(1, "spray_crm_cluster_2", true), Check(1, "outside_fov", false) };
        await Store.ReplaceCausalChecksAsync(run.Id, rows);
        var read = await Store.CausalChecksAsync(run.Id);

        Assert.Equal(["outside_fov", "spray_crm_cluster_2"], read.Select(r => r.Region));
        RowFactory.AssertSameColumns(AsStored(rows[1]), read[0]);
        RowFactory.AssertSameColumns(AsStored(rows[0]), read[1]);
        Assert.Equal(2, await CountAsync("causal_checks", run.Id));
    }

    [Fact]
    public async Task Replacing_class_aggregates_twice_gives_the_same_rows_and_leaves_other_methods()
    {
        var run = await NewRunAsync();
        await Store.ReplaceClassAggregatesAsync(run.Id, "ig", [RowFactory.Aggregate(1, 1)]);
        await Store.ReplaceClassAggregatesAsync(run.Id, "crm", [RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3)]);

        var second = new List<ClassAggregateRow> { RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3) };
        await Store.ReplaceClassAggregatesAsync(run.Id, "crm", second);
        var read = await Store.ClassAggregatesAsync(run.Id);

        Assert.Equal([("crm", 0), ("crm", 1), ("ig", 1)], read.Select(r => (r.Method, r.ClassIndex)));
        RowFactory.AssertSameColumns(AsStored(second[0]), read[0]);
        RowFactory.AssertSameColumns(AsStored(second[1]), read[1]);
        Assert.Equal(3, await CountAsync("class_aggregates", run.Id));
    }

    [Fact]
    public async Task A_redelivered_batch_changes_no_counts_and_keeps_the_latest_values()
    {
        var run = await NewRunAsync(expected: 4);
        string[] keys = ["a.png", "b.png", "c.png", "d.png"];

        await Store.SaveBatchAsync(run.Id, keys, Results(keys[..3], 0, "crm", "ig"), [RowFactory.Failure("d.png")]);
        var redelivered = Results(keys[..3], 100, "crm", "ig");
        await Store.SaveBatchAsync(run.Id, keys, redelivered, [RowFactory.Failure("d.png")]);

        Assert.Equal(6, await CountAsync("image_results", run.Id));
        Assert.Equal(1, await CountAsync("image_failures", run.Id));
        var stored = await Store.AllResultsAsync(run.Id);
        foreach (var expected in redelivered)
            RowFactory.AssertSameColumns(AsStored(expected), stored.Single(r => r.ImageKey == expected.ImageKey && r.Method == expected.Method));
        var progress = await Store.RefreshProgressAsync(run.Id);
        Assert.Equal((3, 1, true), (progress.Explained, progress.Failed, progress.AllAccountedFor));
    }

    [Fact]
    public async Task A_multi_label_image_keeps_metrics_and_sanity_rows_per_finding_and_a_redelivery_replaces_them()
    {
        // Migration 0012: image_metrics unique per (image, method, finding, metric), image_sanity per (image, method, finding, step).
        var run = await NewRunAsync(expected: 1);
        List<ImageMetricRow> Metrics(double value) => [.. new[] { 0, 2 }.Select(f => new ImageMetricRow
            { ImageKey = "a.png", Method = "cam", Metric = "deletion_auc", TargetClass = f, Value = value + f })];
        List<ImageSanityRow> Sanity() => [.. new[] { 0, 2 }.Select(f => new ImageSanityRow
            { ImageKey = "a.png", Method = "cam", TargetClass = f, LayersRandomized = 1, TopLayer = "fc", TotalLayers = 4, Spearman = 0.1 * f })];
        await Store.SaveBatchAsync(run.Id, ["a.png"], [], [], [], Metrics(0), Sanity());
        await Store.SaveBatchAsync(run.Id, ["a.png"], [], [], [], Metrics(10), Sanity());

        var metrics = await Store.ImageMetricsAsync(run.Id);
        Assert.Equal([(0, 10.0), (2, 12.0)], metrics.Select(m => (m.TargetClass, m.Value!.Value)));
        Assert.Equal([0, 2], (await Store.ImageSanityAsync(run.Id)).Select(s => s.TargetClass));
        Assert.Equal(2, await CountAsync("image_sanity", run.Id));
    }

    [Fact]
    public async Task Saving_the_same_row_objects_again_succeeds()
    {
        // A consumer retried in-process may hand the store the very objects it saved before.
        var run = await NewRunAsync();
        var rows = Results(["a.png", "b.png"], 0, "crm");
        var failures = new List<ImageFailureRow> { RowFactory.Failure("c.png") };

        await Store.SaveBatchAsync(run.Id, ["a.png", "b.png", "c.png"], rows, failures);
        await Store.SaveBatchAsync(run.Id, ["a.png", "b.png", "c.png"], rows, failures);

        Assert.Equal(2, await CountAsync("image_results", run.Id));
        Assert.Equal(1, await CountAsync("image_failures", run.Id));
    }

    [Fact]
    public async Task A_later_success_removes_the_earlier_failure_of_that_image()
    {
        var run = await NewRunAsync(expected: 2);
        await Store.SaveBatchAsync(run.Id, ["a.png", "b.png"], Results(["a.png"], 0, "crm"), [RowFactory.Failure("b.png")]);
        Assert.Equal((1, 1), await CountsAsync(run.Id));

        await Store.SaveBatchAsync(run.Id, ["b.png"], Results(["b.png"], 5, "crm"), []);

        Assert.Empty(await Store.FailuresAsync(run.Id));
        Assert.Equal(["a.png", "b.png"], (await Store.ResultsAsync(run.Id, "crm")).Select(r => r.ImageKey));
        Assert.Equal((2, 0), await CountsAsync(run.Id));
    }

    [Fact]
    public async Task A_later_failure_replaces_the_earlier_results_of_that_image()
    {
        var run = await NewRunAsync(expected: 1);
        await Store.SaveBatchAsync(run.Id, ["a.png"], Results(["a.png"], 0, "crm", "ig"), []);

        await Store.SaveFailuresAsync(run.Id, [RowFactory.Failure("a.png", "explain")]);

        Assert.Empty(await Store.AllResultsAsync(run.Id));
        Assert.Equal((0, 1), await CountsAsync(run.Id));
    }

    [Fact]
    public async Task A_batch_leaves_other_images_and_other_runs_alone()
    {
        var run = await NewRunAsync();
        var other = await NewRunAsync();
        await Store.SaveBatchAsync(run.Id, ["a.png", "b.png"], Results(["a.png", "b.png"], 0, "crm"), []);
        await Store.SaveBatchAsync(other.Id, ["a.png"], Results(["a.png"], 0, "crm"), [RowFactory.Failure("z.png")]);

        await Store.SaveBatchAsync(run.Id, ["b.png"], [], [RowFactory.Failure("b.png")]);

        Assert.Equal(["a.png"], (await Store.AllResultsAsync(run.Id)).Select(r => r.ImageKey));
        Assert.Equal(["a.png"], (await Store.AllResultsAsync(other.Id)).Select(r => r.ImageKey));
        Assert.Equal(["z.png"], (await Store.FailuresAsync(other.Id)).Select(r => r.ImageKey));
        Assert.Equal((1, 1), await CountsAsync(run.Id));
        Assert.Equal((1, 1), await CountsAsync(other.Id));
    }

    [Fact]
    public async Task Progress_counts_an_image_with_two_methods_once_and_is_stored_on_the_run()
    {
        var run = await NewRunAsync(expected: 5);
        await Store.SaveBatchAsync(run.Id, ["a", "b", "c"], Results(["a", "b", "c"], 0, "crm", "ig"), []);
        await Store.SaveBatchAsync(run.Id, ["d"], [], [RowFactory.Failure("d")]);

        var progress = await Store.RefreshProgressAsync(run.Id);

        Assert.Equal(new RunProgress(run.Id, RunStatus.Running, 5, 3, 1), progress);
        Assert.False(progress.AllAccountedFor);
        var stored = await Store.FindRunAsync(run.Id);
        Assert.Equal((3, 1), (stored!.Explained, stored.Failed));
        Assert.True(stored.UpdatedAt >= AsStored(run).UpdatedAt);

        await Store.SaveBatchAsync(run.Id, ["e"], Results(["e"], 50, "crm"), []);
        Assert.True((await Store.RefreshProgressAsync(run.Id)).AllAccountedFor);
    }

    [Fact]
    public async Task ResultsKeys_names_the_keys_that_have_results()
    {
        var run = await NewRunAsync();
        await Store.SaveBatchAsync(run.Id, ["a", "b", "c"], Results(["a", "c"], 0, "crm", "ig"), [RowFactory.Failure("b")]);

        var keys = await Store.ResultsKeysAsync(run.Id, ["a", "b", "c", "x"]);

        Assert.Equal(["a", "c"], keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Results_of_one_method_come_in_key_order()
    {
        var run = await NewRunAsync();
        await Store.SaveBatchAsync(run.Id, ["c", "a", "b"], Results(["c", "a", "b"], 0, "crm", "ig"), []);

        var crm = await Store.ResultsAsync(run.Id, "crm");

        Assert.Equal(["a", "b", "c"], crm.Select(r => r.ImageKey));
        Assert.All(crm, r => Assert.Equal("crm", r.Method));
    }

    [Fact]
    public async Task A_transition_happens_only_from_the_given_status()
    {
        var run = await NewRunAsync();

        Assert.True(await Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating));
        Assert.False(await Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating));
        Assert.False(await Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Failed, "late"));

        var stored = await Store.FindRunAsync(run.Id);
        Assert.Equal(RunStatus.Aggregating, stored!.Status);
        Assert.Null(stored.Error);
        Assert.Null(stored.CompletedAt);
    }

    [Fact]
    public async Task Completing_stamps_the_completion_time_and_keeps_an_earlier_error()
    {
        var run = await NewRunAsync();
        Assert.True(await Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating, "2 images failed"));
        var before = DateTime.UtcNow;

        Assert.True(await Store.TryTransitionAsync(run.Id, RunStatus.Aggregating, RunStatus.Completed));
        Assert.False(await Store.TryTransitionAsync(run.Id, RunStatus.Aggregating, RunStatus.Failed, "late"));

        var stored = await Store.FindRunAsync(run.Id);
        Assert.Equal((RunStatus.Completed, "2 images failed"), (stored!.Status, stored.Error));
        Assert.NotNull(stored.CompletedAt);
        Assert.InRange(stored.CompletedAt!.Value, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Failing_records_the_error()
    {
        var run = await NewRunAsync();

        Assert.True(await Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Failed, "aggregator: out of disk"));

        var stored = await Store.FindRunAsync(run.Id);
        Assert.Equal((RunStatus.Failed, "aggregator: out of disk"), (stored!.Status, stored.Error));
        Assert.NotNull(stored.CompletedAt);
    }

    [Fact]
    public async Task Of_many_concurrent_identical_transitions_exactly_one_wins()
    {
        var run = await NewRunAsync();
        var other = await NewRunAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Task.Run(() => Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating))));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Equal(RunStatus.Aggregating, (await Store.FindRunAsync(run.Id))!.Status);
        Assert.Equal(RunStatus.Running, (await Store.FindRunAsync(other.Id))!.Status);
    }

    [Fact]
    public async Task An_unknown_run_does_not_transition()
    {
        Assert.False(await Store.TryTransitionAsync(Guid.NewGuid(), RunStatus.Running, RunStatus.Completed));
    }
}
