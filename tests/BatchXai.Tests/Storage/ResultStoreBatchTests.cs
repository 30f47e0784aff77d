using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary>Batch writes under at-least-once delivery, and the progress counts derived from them.</summary>
public sealed class ResultStoreBatchTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    private static List<ImageResultRow> Results(IEnumerable<string> keys, int seed, params string[] methods) =>
        keys.SelectMany((k, i) => methods.Select((m, j) => RowFactory.Result(k, m, seed + 10 * i + j))).ToList();

    [Fact]
    public async Task A_redelivered_batch_changes_no_counts_and_keeps_the_latest_values()
    {
        var run = await _db.NewRunAsync(expected: 4);
        string[] keys = ["a.png", "b.png", "c.png", "d.png"];

        await _db.Store.SaveBatchAsync(run.Id, keys, Results(keys[..3], 0, "crm", "ig"), [RowFactory.Failure("d.png")]);
        var redelivered = Results(keys[..3], 100, "crm", "ig");
        await _db.Store.SaveBatchAsync(run.Id, keys, redelivered, [RowFactory.Failure("d.png")]);

        Assert.Equal(6, _db.Scalar("SELECT COUNT(*) FROM image_results"));
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM image_failures"));
        var stored = await _db.Store.AllResultsAsync(run.Id);
        foreach (var expected in redelivered)
            RowFactory.AssertSameColumns(expected, stored.Single(r => r.ImageKey == expected.ImageKey && r.Method == expected.Method));
        var progress = await _db.Store.RefreshProgressAsync(run.Id);
        Assert.Equal((3, 1, true), (progress.Explained, progress.Failed, progress.AllAccountedFor));
    }

    [Fact]
    public async Task Saving_the_same_row_objects_again_succeeds()
    {
        // A consumer retried in-process may hand the store the very objects it saved before.
        var run = await _db.NewRunAsync();
        var rows = Results(["a.png", "b.png"], 0, "crm");
        var failures = new List<ImageFailureRow> { RowFactory.Failure("c.png") };

        await _db.Store.SaveBatchAsync(run.Id, ["a.png", "b.png", "c.png"], rows, failures);
        await _db.Store.SaveBatchAsync(run.Id, ["a.png", "b.png", "c.png"], rows, failures);

        Assert.Equal(2, _db.Scalar("SELECT COUNT(*) FROM image_results"));
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM image_failures"));
    }

    [Fact]
    public async Task A_later_success_removes_the_earlier_failure_of_that_image()
    {
        var run = await _db.NewRunAsync(expected: 2);
        await _db.Store.SaveBatchAsync(run.Id, ["a.png", "b.png"], Results(["a.png"], 0, "crm"), [RowFactory.Failure("b.png")]);
        Assert.Equal((1, 1), await CountsAsync(run.Id));

        await _db.Store.SaveBatchAsync(run.Id, ["b.png"], Results(["b.png"], 5, "crm"), []);

        Assert.Empty(await _db.Store.FailuresAsync(run.Id));
        Assert.Equal(["a.png", "b.png"], (await _db.Store.ResultsAsync(run.Id, "crm")).Select(r => r.ImageKey));
        Assert.Equal((2, 0), await CountsAsync(run.Id));
    }

    [Fact]
    public async Task A_later_failure_replaces_the_earlier_results_of_that_image()
    {
        var run = await _db.NewRunAsync(expected: 1);
        await _db.Store.SaveBatchAsync(run.Id, ["a.png"], Results(["a.png"], 0, "crm", "ig"), []);

        await _db.Store.SaveFailuresAsync(run.Id, [RowFactory.Failure("a.png", "explain")]);

        Assert.Empty(await _db.Store.AllResultsAsync(run.Id));
        Assert.Equal((0, 1), await CountsAsync(run.Id));
    }

    [Fact]
    public async Task A_batch_leaves_other_images_and_other_runs_alone()
    {
        var run = await _db.NewRunAsync();
        var other = await _db.NewRunAsync();
        await _db.Store.SaveBatchAsync(run.Id, ["a.png", "b.png"], Results(["a.png", "b.png"], 0, "crm"), []);
        await _db.Store.SaveBatchAsync(other.Id, ["a.png"], Results(["a.png"], 0, "crm"), [RowFactory.Failure("z.png")]);

        await _db.Store.SaveBatchAsync(run.Id, ["b.png"], [], [RowFactory.Failure("b.png")]);

        Assert.Equal(["a.png"], (await _db.Store.AllResultsAsync(run.Id)).Select(r => r.ImageKey));
        Assert.Equal(["a.png"], (await _db.Store.AllResultsAsync(other.Id)).Select(r => r.ImageKey));
        Assert.Equal(["z.png"], (await _db.Store.FailuresAsync(other.Id)).Select(r => r.ImageKey));
        Assert.Equal((1, 1), await CountsAsync(run.Id));
        Assert.Equal((1, 1), await CountsAsync(other.Id));
    }

    [Fact]
    public async Task Progress_counts_an_image_with_two_methods_once_and_is_stored_on_the_run()
    {
        var run = await _db.NewRunAsync(expected: 5);
        await _db.Store.SaveBatchAsync(run.Id, ["a", "b", "c"], Results(["a", "b", "c"], 0, "crm", "ig"), []);
        await _db.Store.SaveBatchAsync(run.Id, ["d"], [], [RowFactory.Failure("d")]);

        var progress = await _db.Store.RefreshProgressAsync(run.Id);

        Assert.Equal(new RunProgress(run.Id, "running", 5, 3, 1), progress);
        Assert.False(progress.AllAccountedFor);
        var stored = await _db.Store.FindRunAsync(run.Id);
        Assert.Equal((3, 1), (stored!.Explained, stored.Failed));
        Assert.True(stored.UpdatedAt >= run.UpdatedAt);

        await _db.Store.SaveBatchAsync(run.Id, ["e"], Results(["e"], 50, "crm"), []);
        Assert.True((await _db.Store.RefreshProgressAsync(run.Id)).AllAccountedFor);
    }

    [Fact]
    public async Task ResultsKeys_names_the_keys_that_have_results()
    {
        var run = await _db.NewRunAsync();
        await _db.Store.SaveBatchAsync(run.Id, ["a", "b", "c"], Results(["a", "c"], 0, "crm", "ig"), [RowFactory.Failure("b")]);

        var keys = await _db.Store.ResultsKeysAsync(run.Id, ["a", "b", "c", "x"]);

        Assert.Equal(["a", "c"], keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Results_of_one_method_come_in_key_order()
    {
        var run = await _db.NewRunAsync();
        await _db.Store.SaveBatchAsync(run.Id, ["c", "a", "b"], Results(["c", "a", "b"], 0, "crm", "ig"), []);

        var crm = await _db.Store.ResultsAsync(run.Id, "crm");

        Assert.Equal(["a", "b", "c"], crm.Select(r => r.ImageKey));
        Assert.All(crm, r => Assert.Equal("crm", r.Method));
    }

    private async Task<(int Explained, int Failed)> CountsAsync(Guid runId)
    {
        var p = await _db.Store.RefreshProgressAsync(runId);
        return (p.Explained, p.Failed);
    }
}
