using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>
/// Applies the embedded, numbered SQL migrations (Migrations/&lt;dialect&gt;/NNNN_name.sql) that the
/// database has not seen yet, recording each in schema_versions. Runs at start-up; safe to run
/// from several processes at once because each migration commits with its version row, and
/// a version is looked up again inside the transaction that would apply it. That second look
/// suffices on SQLite, whose transactions take the write lock at BEGIN; PostgreSQL's do not, so
/// there the whole migration runs under a session advisory lock.
/// </summary>
public static class SchemaMigrator
{
    // Any constant shared by every BatchXai process: the key of PostgreSQL's migration lock.
    private const long PostgresLockKey = 0x42_61_74_63_68_58_61_69; // "BatchXai"

    public static async Task<int> MigrateAsync(ResultsDb db, string dialect, CancellationToken ct = default)
    {
        if (dialect != PostgresDatabase.Dialect) return await MigrateUnlockedAsync(db, dialect, ct);
        // A session lock lives on one connection: keep it open from lock to unlock.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock({0})", [PostgresLockKey], ct);
            try { return await MigrateUnlockedAsync(db, dialect, ct); }
            finally { await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock({0})", [PostgresLockKey], CancellationToken.None); }
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    private static async Task<int> MigrateUnlockedAsync(ResultsDb db, string dialect, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)", ct);
        var applied = (await AppliedAsync(db, ct)).ToHashSet();

        int count = 0;
        foreach (var (version, name, sql) in Scripts(dialect))
        {
            if (applied.Contains(version)) continue;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Another process may have applied it between our read and our transaction (SQLite's
            // transactions take the write lock at BEGIN, so this second look cannot race).
            if ((await AppliedAsync(db, ct)).Contains(version)) continue;
            await db.Database.ExecuteSqlRawAsync(sql, ct);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO schema_versions (version, name, applied_at) VALUES ({0}, {1}, {2})",
                [version, name, DateTime.UtcNow.ToString("O")], ct);
            await tx.CommitAsync(ct);
            count++;
        }
        return count;
    }

    private static Task<List<int>> AppliedAsync(ResultsDb db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<int>("SELECT version AS \"Value\" FROM schema_versions").ToListAsync(ct);

    public static IEnumerable<(int Version, string Name, string Sql)> Scripts(string dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        string prefix = $"BatchXai.Storage.Migrations.{dialect}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                string file = n[prefix.Length..^4];
                int version = int.Parse(file[..file.IndexOf('_')]);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (version, file, reader.ReadToEnd());
            })
            .OrderBy(s => s.version);
    }
}
