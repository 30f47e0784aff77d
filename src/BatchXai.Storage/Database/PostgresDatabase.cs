using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>The distributed mode's database: PostgreSQL, shared by coordinators, workers and aggregators.</summary>
public static class PostgresDatabase
{
    public const string Dialect = "Postgres";

    /// <summary>Applies pending migrations (safe from several processes at once) and returns a context factory.</summary>
    /// <param name="connectionString">An Npgsql connection string; it comes from configuration, never from code.</param>
    public static async Task<Func<ResultsDb>> OpenAsync(string connectionString, CancellationToken ct = default)
    {
        var options = new DbContextOptionsBuilder<ResultsDb>().UseNpgsql(connectionString).Options;
        ResultsDb Open() => new(options);

        await using (var db = Open())
            await SchemaMigrator.MigrateAsync(db, Dialect, ct);
        return Open;
    }
}
