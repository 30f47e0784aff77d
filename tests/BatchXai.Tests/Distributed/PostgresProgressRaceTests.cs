using BatchXai.Storage.Database;
using BatchXai.Tests.Storage;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Tests.Distributed;

/// <summary>Run progress on PostgreSQL (READ COMMITTED): a refresh that counted before another handler's batch cannot overwrite its newer count.</summary>
public sealed class PostgresProgressRaceTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>
{
    [Fact]
    public async Task A_stale_refresh_does_not_overwrite_a_newer_count_on_postgres()
    {
        var (explained, failed) = await ProgressRace.RunAsync(db.Store, interceptor =>
        {
            var options = new DbContextOptionsBuilder<ResultsDb>().UseNpgsql(db.ConnectionString).AddInterceptors(interceptor).Options;
            return () => new ResultsDb(options);
        });

        Assert.Equal((4, 1), (explained, failed));
    }
}
