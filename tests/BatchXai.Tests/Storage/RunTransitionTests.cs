using BatchXai.Contracts;

namespace BatchXai.Tests.Storage;

/// <summary>Status changes are conditional, so two coordinators racing to complete a run complete it once.</summary>
public sealed class RunTransitionTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_transition_happens_only_from_the_given_status()
    {
        var run = await _db.NewRunAsync();

        Assert.True(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating));
        Assert.False(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating));
        Assert.False(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Failed, "late"));

        var stored = await _db.Store.FindRunAsync(run.Id);
        Assert.Equal(RunStatus.Aggregating, stored!.Status);
        Assert.Null(stored.Error);
        Assert.Null(stored.CompletedAt);
    }

    [Fact]
    public async Task Completing_stamps_the_completion_time_and_keeps_an_earlier_error()
    {
        var run = await _db.NewRunAsync();
        Assert.True(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating, "2 images failed"));
        var before = DateTime.UtcNow;

        Assert.True(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Aggregating, RunStatus.Completed));

        var stored = await _db.Store.FindRunAsync(run.Id);
        Assert.Equal(RunStatus.Completed, stored!.Status);
        Assert.Equal("2 images failed", stored.Error);
        Assert.NotNull(stored.CompletedAt);
        Assert.InRange(stored.CompletedAt!.Value, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Failing_records_the_error()
    {
        var run = await _db.NewRunAsync();

        Assert.True(await _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Failed, "aggregator: out of disk"));

        var stored = await _db.Store.FindRunAsync(run.Id);
        Assert.Equal((RunStatus.Failed, "aggregator: out of disk"), (stored!.Status, stored.Error));
        Assert.NotNull(stored.CompletedAt);
    }

    [Fact]
    public async Task Of_many_concurrent_identical_transitions_exactly_one_wins()
    {
        var run = await _db.NewRunAsync();
        var other = await _db.NewRunAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Task.Run(() => _db.Store.TryTransitionAsync(run.Id, RunStatus.Running, RunStatus.Aggregating))));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Equal(RunStatus.Running, (await _db.Store.FindRunAsync(other.Id))!.Status);
    }

    [Fact]
    public async Task An_unknown_run_does_not_transition()
    {
        Assert.False(await _db.Store.TryTransitionAsync(Guid.NewGuid(), RunStatus.Running, RunStatus.Completed));
    }
}
