using BatchXai.Storage.Database;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BatchXai.Tests.Storage;

/// <summary>The numbered SQL migrations: every script in the source folder is embedded, applied once, recorded.</summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly TempFolder _folder = new("migrate");

    public void Dispose() => _folder.Dispose();

    /// <summary>The migration files as they lie in the source tree (not as the assembly embeds them).</summary>
    private static List<(int Version, string Name)> SourceScripts()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "src", "BatchXai.Storage", "Database", "Migrations", "Sqlite");
            if (!Directory.Exists(folder)) continue;
            return Directory.GetFiles(folder, "*.sql")
                .Select(f => Path.GetFileNameWithoutExtension(f))
                .Select(n => (int.Parse(n[..n.IndexOf('_')]), n))
                .OrderBy(s => s.Item1)
                .ToList();
        }
        throw new DirectoryNotFoundException($"no src/BatchXai.Storage/Database/Migrations/Sqlite above {AppContext.BaseDirectory}");
    }

    private static List<(long Version, string Name)> Recorded(TestDatabaseFile db)
    {
        using var connection = db.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name, applied_at FROM schema_versions ORDER BY version";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string)>();
        while (reader.Read())
        {
            Assert.True(DateTime.TryParse(reader.GetString(2), out _), $"applied_at '{reader.GetString(2)}' is no timestamp");
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        return rows;
    }

    [Fact]
    public void Every_source_script_is_embedded_in_version_order()
    {
        var source = SourceScripts();

        Assert.NotEmpty(source);
        Assert.Equal(source, SchemaMigrator.Scripts(SqliteDatabase.Dialect).Select(s => (s.Version, s.Name)));
        Assert.Equal(source.Count, source.Select(s => s.Version).Distinct().Count());
    }

    [Fact]
    public async Task A_fresh_database_gets_every_script_once_and_a_second_run_applies_none()
    {
        var file = new TestDatabaseFile(_folder);
        var options = new DbContextOptionsBuilder<ResultsDb>().UseSqlite($"Data Source={file.Path}").Options;
        int scripts = SourceScripts().Count;

        await using (var db = new ResultsDb(options)) Assert.Equal(scripts, await SchemaMigrator.MigrateAsync(db, SqliteDatabase.Dialect));
        await using (var db = new ResultsDb(options)) Assert.Equal(0, await SchemaMigrator.MigrateAsync(db, SqliteDatabase.Dialect));

        Assert.Equal(SourceScripts().Select(s => ((long)s.Version, s.Name)), Recorded(file));
    }

    [Fact]
    public async Task Opening_twice_keeps_one_version_row_per_script_and_the_data()
    {
        var file = new TestDatabaseFile(_folder);
        var store = new ResultStore(await SqliteDatabase.OpenAsync(file.Path));
        var runId = Guid.NewGuid();
        await store.CreateRunAsync(new RunRow { Id = runId, Status = "running" });

        var reopened = new ResultStore(await SqliteDatabase.OpenAsync(file.Path));

        Assert.Equal(SourceScripts().Select(s => ((long)s.Version, s.Name)), Recorded(file));
        Assert.NotNull(await reopened.FindRunAsync(runId));
    }

    [Fact]
    public async Task Several_processes_opening_a_new_file_at_once_apply_each_script_once()
    {
        var file = new TestDatabaseFile(_folder);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SqliteDatabase.OpenAsync(file.Path))));

        Assert.Equal(SourceScripts().Select(s => ((long)s.Version, s.Name)), Recorded(file));
    }

    [Fact]
    public async Task A_migration_applied_by_another_process_after_our_check_is_not_applied_again()
    {
        // The race, made certain: process B migrates the file after process A has read the
        // applied versions and just before A's first migration transaction begins.
        var file = new TestDatabaseFile(_folder);
        var plain = $"Data Source={file.Path};Pooling=False";
        var optionsB = new DbContextOptionsBuilder<ResultsDb>().UseSqlite(plain).Options;
        var interleave = new BeforeFirstTransaction(async () =>
        {
            await using var b = new ResultsDb(optionsB);
            Assert.Equal(SourceScripts().Count, await SchemaMigrator.MigrateAsync(b, SqliteDatabase.Dialect));
        });
        var optionsA = new DbContextOptionsBuilder<ResultsDb>().UseSqlite(plain).AddInterceptors(interleave).Options;

        await using (var a = new ResultsDb(optionsA)) Assert.Equal(0, await SchemaMigrator.MigrateAsync(a, SqliteDatabase.Dialect));

        Assert.True(interleave.Ran);
        Assert.Equal(SourceScripts().Select(s => ((long)s.Version, s.Name)), Recorded(file));
    }

    /// <summary>Runs an action once, just before the context's first transaction begins.</summary>
    private sealed class BeforeFirstTransaction(Func<Task> action) : DbTransactionInterceptor
    {
        public bool Ran { get; private set; }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken ct = default)
        {
            if (!Ran)
            {
                Ran = true;
                await action();
            }
            return result;
        }
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        var file = new TestDatabaseFile(_folder);
        await SqliteDatabase.OpenAsync(file.Path);

        using var connection = file.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    /// <summary>A database file path in its own folder of the test's folder, not yet created.</summary>
    private sealed class TestDatabaseFile
    {
        public TestDatabaseFile(TempFolder folder)
        {
            Path = folder.Combine($"db-{Guid.NewGuid():N}/results.db");
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }

        public string Path { get; }

        public Microsoft.Data.Sqlite.SqliteConnection Raw() => TestDatabase.OpenRaw(Path);
    }
}
