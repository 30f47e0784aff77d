using BatchXai.Storage.Database;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchXai.Dashboard.Reading;

/// <summary>
/// Opens the results database read-only: a SQLite file (read-only mode) or PostgreSQL (every
/// transaction read-only). The dashboard never migrates: it checks the schema is the one it reads.
/// </summary>
public static class DashboardDatabase
{
    public static bool IsPostgres(string database) =>
        database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where, for messages and logs: the file, or the host and database name (never a password).</summary>
    public static string Describe(string database)
    {
        if (!IsPostgres(database)) return Path.GetFullPath(database);
        var b = new NpgsqlConnectionStringBuilder(database);
        return $"postgresql://{b.Host}:{b.Port}/{b.Database}";
    }

    public static async Task<Func<ResultsDb>> OpenAsync(string database, CancellationToken ct = default)
    {
        DbContextOptions<ResultsDb> options;
        string dialect;
        if (IsPostgres(database))
        {
            var b = new NpgsqlConnectionStringBuilder(database) { Options = "-c default_transaction_read_only=on" };
            options = new DbContextOptionsBuilder<ResultsDb>().UseNpgsql(b.ConnectionString).Options;
            dialect = PostgresDatabase.Dialect;
        }
        else
        {
            if (!File.Exists(database))
                throw new FileNotFoundException($"no results database at {Path.GetFullPath(database)}: run `batchxai run` first, or pass --db", database);
            var connection = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30, Pooling = true };
            options = new DbContextOptionsBuilder<ResultsDb>().UseSqlite(connection.ToString()).Options;
            dialect = SqliteDatabase.Dialect;
        }
        ResultsDb Open() => new(options);
        await CheckSchemaAsync(Open, dialect, Describe(database), ct);
        return Open;
    }

    private static async Task CheckSchemaAsync(Func<ResultsDb> open, string dialect, string where, CancellationToken ct)
    {
        int needed = SchemaMigrator.Scripts(dialect).Max(s => s.Version);
        int found;
        await using var db = open();
        try
        {
            found = await db.Database.SqlQueryRaw<int>("SELECT COALESCE(MAX(version), 0) AS \"Value\" FROM schema_versions").SingleAsync(ct);
        }
        catch (Exception e) when (e is SqliteException or PostgresException)
        {
            throw new InvalidOperationException($"{where} is not a BatchXai results database ({e.Message})", e);
        }
        if (found < needed)
            throw new InvalidOperationException($"{where} has schema version {found}; the dashboard reads version {needed}: open it once with `batchxai run` (or a service) of this version to migrate it");
    }
}
