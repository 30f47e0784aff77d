using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary>Every column of every row type survives a write and a read through the store.</summary>
public sealed class RowRoundTripTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_rows_round_trip(bool withNullables)
    {
        var run = new RunRow
        {
            Id = Guid.NewGuid(),
            Status = "running",
            DatasetUri = "file:///data/eyepacs",
            ModelManifestUri = "/models/densenet.json",
            ModelName = "densenet121",
            ModelSha256 = new string('f', 64),
            ResultsUri = "file:///results/x",
            Methods = "crm,clear,ig",
            Target = "label",
            ClassNamesJson = "[\"none\",\"mild\",\"moderate\",\"severe\",\"proliferative\"]",
            Expected = 35126,
            Explained = 17,
            Failed = 3,
            Error = withNullables ? "model refused: input 'x' has shape [1,3,224,224], manifest says 299" : null,
            CompletedAt = withNullables ? new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567) : null,
        };

        await _db.Store.CreateRunAsync(run);
        var read = await _db.Store.FindRunAsync(run.Id);

        Assert.NotNull(read);
        Assert.NotEqual(default, run.CreatedAt);
        RowFactory.AssertSameColumns(run, read);
        Assert.Null(await _db.Store.FindRunAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Image_result_rows_round_trip_with_and_without_nullable_fields()
    {
        var run = await _db.NewRunAsync();
        var rows = new List<ImageResultRow>
        {
            RowFactory.Result("train/a.jpeg", "crm", seed: 1, withNullables: true),
            RowFactory.Result("train/b.jpeg", "crm", seed: 2, withNullables: false),
            RowFactory.Result("train/a.jpeg", "ig", seed: 3, withNullables: true),
        };

        await _db.Store.SaveBatchAsync(run.Id, ["train/a.jpeg", "train/b.jpeg"], rows, []);
        var read = await _db.Store.AllResultsAsync(run.Id);

        // AllResultsAsync orders by image key, then method.
        Assert.Equal(3, read.Count);
        RowFactory.AssertSameColumns(rows[0], read[0]);
        RowFactory.AssertSameColumns(rows[2], read[1]);
        RowFactory.AssertSameColumns(rows[1], read[2]);
        Assert.Null(read[2].Label);
        Assert.Null(read[2].CompletenessDelta);
        Assert.All(read, r => Assert.Equal(run.Id, r.RunId));
        Assert.Equal(3, read.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Image_failure_rows_round_trip()
    {
        var run = await _db.NewRunAsync();
        var failures = new List<ImageFailureRow> { RowFactory.Failure("z.png", "enumerate"), RowFactory.Failure("a.png", "decode") };

        await _db.Store.SaveFailuresAsync(run.Id, failures);
        var read = await _db.Store.FailuresAsync(run.Id);

        Assert.Equal(["a.png", "z.png"], read.Select(f => f.ImageKey));
        RowFactory.AssertSameColumns(failures[1], read[0]);
        RowFactory.AssertSameColumns(failures[0], read[1]);
    }

    [Fact]
    public async Task Class_aggregate_rows_round_trip()
    {
        var run = await _db.NewRunAsync();
        var rows = new List<ClassAggregateRow> { RowFactory.Aggregate(2, 5), RowFactory.Aggregate(0, 6) };

        await _db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", rows);
        var read = await _db.Store.ClassAggregatesAsync(run.Id);

        Assert.Equal([0, 2], read.Select(r => r.ClassIndex));
        Assert.All(read, r => Assert.Equal("crm", r.Method));
        RowFactory.AssertSameColumns(rows[1], read[0]);
        RowFactory.AssertSameColumns(rows[0], read[1]);
    }

    [Fact]
    public async Task Replacing_class_aggregates_twice_gives_the_same_rows_and_leaves_other_methods()
    {
        var run = await _db.NewRunAsync();
        await _db.Store.ReplaceClassAggregatesAsync(run.Id, "ig", [RowFactory.Aggregate(1, 1)]);
        await _db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", [RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3)]);

        var second = new List<ClassAggregateRow> { RowFactory.Aggregate(0, 2), RowFactory.Aggregate(1, 3) };
        await _db.Store.ReplaceClassAggregatesAsync(run.Id, "crm", second);
        var read = await _db.Store.ClassAggregatesAsync(run.Id);

        Assert.Equal([("crm", 0), ("crm", 1), ("ig", 1)], read.Select(r => (r.Method, r.ClassIndex)));
        RowFactory.AssertSameColumns(second[0], read[0]);
        RowFactory.AssertSameColumns(second[1], read[1]);
        Assert.Equal(3, _db.Scalar("SELECT COUNT(*) FROM class_aggregates"));
    }
}
