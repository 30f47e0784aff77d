using BatchXai.Storage.Database;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Tests.Storage;

/// <summary>Run progress on SQLite: a refresh that counted before another handler's batch cannot overwrite its newer count.</summary>
public sealed class ProgressRaceTests
{
    [Fact]
    public async Task A_stale_refresh_does_not_overwrite_a_newer_count_on_sqlite()
    {
        using var db = await TestDatabase.CreateAsync();
        var (explained, failed) = await ProgressRace.RunAsync(db.Store, interceptor =>
        {
            var options = new DbContextOptionsBuilder<ResultsDb>()
                .UseSqlite($"Data Source={db.FilePath};Cache=Shared;Default Timeout=60").AddInterceptors(interceptor).Options;
            return () => new ResultsDb(options);
        });

        Assert.Equal((4, 1), (explained, failed));
    }
}
