using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>The embedded default database: one SQLite file, WAL mode so readers never block the writer.</summary>
public static class SqliteDatabase
{
    public const string Dialect = "Sqlite";

    /// <summary>Opens (creating if needed) the database file, applies pending migrations and returns a context factory.</summary>
    public static async Task<Func<ResultsDb>> OpenAsync(string path, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A private cache per connection (SQLite's default; shared cache is discouraged): under a shared cache,
            // connections contending for a table get SQLITE_LOCKED, which the busy timeout does not wait out, and
            // SQLitePCL.raw 2.1 turns a prepare failing that way into an ArgumentOutOfRangeException (six connections
            // opening a new file at once under load: 298 of 400 trials failed so; 0 of 400 with private caches).
            DefaultTimeout = 60, // seconds: concurrent batch writers wait on SQLITE_BUSY instead of failing
            Pooling = true,
        }.ToString();
        var options = new DbContextOptionsBuilder<ResultsDb>().UseSqlite(connectionString).Options;
        ResultsDb Open() => new(options);

        await using (var db = Open())
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await SchemaMigrator.MigrateAsync(db, Dialect, ct);
        }
        return Open;
    }
}
