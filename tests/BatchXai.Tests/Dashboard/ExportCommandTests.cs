using BatchXai.Cli;
using BatchXai.Dashboard.Reading;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Tests.Dashboard;

/// <summary><c>batchxai export</c> and the read-only SQLite view the dashboard and the exports share.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ExportCommandTests(DashboardRun fixture)
{
    private async Task<int> CliAsync(params string[] args) => await Program.BuildRoot().Parse(args).InvokeAsync();

    [Theory]
    [InlineData("images", "results.csv")]
    [InlineData("classes", "classes.csv")]
    [InlineData("failures", "failures.csv")]
    public async Task Export_writes_the_same_csv_as_the_run_reports(string table, string report)
    {
        var file = Path.Combine(fixture.Root, $"export-{table}.csv");
        Assert.Equal(ExitCodes.Ok, await CliAsync("export", table, "--out", fixture.Out, "--run", fixture.Run.Id.ToString("D"), "--file", file));
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Out, fixture.Run.Id.ToString("D"), report)), File.ReadAllBytes(file));
    }

    [Fact]
    public async Task Export_without_a_run_takes_the_newest_and_an_unknown_run_or_database_is_exit_code_2()
    {
        var file = Path.Combine(fixture.Root, "export-newest.csv");
        Assert.Equal(ExitCodes.Ok, await CliAsync("export", "classes", "--db", fixture.Database, "--file", file));
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Out, fixture.Run.Id.ToString("D"), "classes.csv")), File.ReadAllBytes(file));
        Assert.Equal(ExitCodes.BadInput, await CliAsync("export", "images", "--out", fixture.Out, "--run", Guid.NewGuid().ToString("D"), "--file", file));
        Assert.Equal(ExitCodes.BadInput, await CliAsync("export", "images", "--db", Path.Combine(fixture.Root, "none.db"), "--file", file));
    }

    [Fact]
    public async Task The_sqlite_database_is_opened_read_only()
    {
        await using var db = (await DashboardDatabase.OpenAsync(fixture.Database))();
        var e = await Assert.ThrowsAsync<SqliteException>(() => db.Runs.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, "hacked")));
        Assert.Equal(8, e.SqliteErrorCode); // SQLITE_READONLY
        Assert.Equal("completed", (await fixture.Store.FindRunAsync(fixture.Run.Id))!.Status);
    }
}
