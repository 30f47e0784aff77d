using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary><see cref="ResultStoreContract"/> on SQLite, the embedded default: a fresh database file per test.</summary>
public sealed class SqliteResultStoreTests : ResultStoreContract, IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    protected override ResultStore Store => _db.Store;

    protected override Task<RunRow> NewRunAsync(int expected = 10) => _db.NewRunAsync(expected);

    // Guids are stored as text; compared case-blind so the count does not depend on their casing.
    protected override Task<long> CountAsync(string table, Guid runId) =>
        Task.FromResult(_db.Scalar($"SELECT COUNT(*) FROM {table} WHERE upper(run_id) = upper('{runId:D}')"));
}
