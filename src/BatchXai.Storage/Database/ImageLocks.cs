using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>
/// Serialises transactions that rewrite the rows of the same images, or the same run-level
/// results of a run (class views, dominance, findings, metrics). SQLite needs nothing: its
/// write transactions already run one at a time. On PostgreSQL two deliveries of one batch would
/// otherwise interleave their delete-then-insert under READ COMMITTED and end in a unique-index
/// violation or a deadlock; with these locks the second waits, then deletes the first one's rows.
/// </summary>
internal static class ImageLocks
{
    /// <summary>Takes a transaction-scoped advisory lock per (run, image key), in ascending order so that no two writers deadlock.</summary>
    public static async Task AcquireAsync(ResultsDb db, Guid runId, IReadOnlyCollection<string> imageKeys, CancellationToken ct)
    {
        if (!db.IsPostgres || imageKeys.Count == 0) return;
        var ids = imageKeys.Select(k => LockId(runId, k)).Distinct().Order().ToArray();
        // A volatile function in the select list is evaluated after ORDER BY, so locks are taken in order.
        await db.Database.ExecuteSqlRawAsync(
            "SELECT pg_advisory_xact_lock(id) FROM unnest({0}::bigint[]) WITH ORDINALITY AS t(id, n) ORDER BY n", [ids], ct);
    }

    /// <summary>Takes the lock of a run's rows in one table of run-level results: two aggregations of the run replace them in turn.</summary>
    public static Task AcquireRunTableAsync(ResultsDb db, Guid runId, string table, CancellationToken ct) =>
        AcquireAsync(db, runId, [$"run-table:{table}"], ct);

    /// <summary>A stable 64-bit id (collisions only make two unrelated images wait for each other).</summary>
    private static long LockId(Guid runId, string imageKey) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{runId:N}/{imageKey}")), 0);
}
