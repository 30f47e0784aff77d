using BatchXai.Contracts;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>Counts of a run's images, derived from the stored rows (never incremented, so redelivery cannot inflate them).</summary>
public sealed record RunProgress(Guid RunId, string Status, int Expected, int Explained, int Failed)
{
    public bool AllAccountedFor => Explained + Failed >= Expected;
}

/// <summary>
/// The operations the pipeline performs on the results database. Every write is idempotent on
/// its natural key (run + image key + method; run + image key; run + method + class), so an
/// at-least-once bus can deliver a batch twice without changing anything.
/// </summary>
public sealed class ResultStore(Func<ResultsDb> openDb)
{
    public Task CreateRunAsync(RunRow run, CancellationToken ct = default) => CreateRunAsync(run, [], ct);

    /// <summary>Records a run with the batches about to be published for it, in one transaction.</summary>
    public async Task CreateRunAsync(RunRow run, IReadOnlyList<RunBatchRow> batches, CancellationToken ct = default)
    {
        await using var db = openDb();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        run.CreatedAt = run.UpdatedAt = DateTime.UtcNow;
        db.Runs.Add(run);
        // The run first: the model declares no relation, so one SaveChanges could insert the batches before it.
        await db.SaveChangesAsync(ct);
        foreach (var b in batches) b.RunId = run.Id;
        db.RunBatches.AddRange(batches);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<List<RunBatchRow>> RunBatchesAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.RunBatches.AsNoTracking().Where(b => b.RunId == runId).OrderBy(b => b.BatchIndex).ToListAsync(ct);
    }

    /// <summary>The run's image keys that a result or a failure row accounts for.</summary>
    public async Task<HashSet<string>> AccountedKeysAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        var explained = await db.ImageResults.Where(r => r.RunId == runId).Select(r => r.ImageKey).Distinct().ToListAsync(ct);
        var failed = await db.ImageFailures.Where(r => r.RunId == runId).Select(r => r.ImageKey).ToListAsync(ct);
        return [.. explained, .. failed];
    }

    /// <summary>Runs still running or aggregating whose row has not changed since <paramref name="before"/>.</summary>
    public async Task<List<RunRow>> QuietRunsAsync(DateTime before, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Runs.AsNoTracking()
            .Where(r => (r.Status == RunStatus.Running || r.Status == RunStatus.Aggregating) && r.UpdatedAt < before)
            .OrderBy(r => r.UpdatedAt).ToListAsync(ct);
    }

    /// <summary>Notes why a run that is still in progress needed help (shown as its error), and stamps it as touched now.</summary>
    public async Task NoteAsync(Guid runId, string note, CancellationToken ct = default)
    {
        await using var db = openDb();
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Error, note)
            .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
    }

    public async Task<RunRow?> FindRunAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
    }

    /// <summary>
    /// Stores a batch's outcome: the rows for these images replace any earlier ones (a redelivered
    /// batch), in one transaction. An image that now succeeds loses its earlier failure row.
    /// </summary>
    public Task SaveBatchAsync(Guid runId, IReadOnlyCollection<string> imageKeys, IReadOnlyList<ImageResultRow> results,
        IReadOnlyList<ImageFailureRow> failures, CancellationToken ct = default) =>
        SaveBatchAsync(runId, imageKeys, results, failures, [], ct);

    /// <summary>As above, with the images' fields of view (replacing earlier ones for these keys too).</summary>
    public Task SaveBatchAsync(Guid runId, IReadOnlyCollection<string> imageKeys, IReadOnlyList<ImageResultRow> results,
        IReadOnlyList<ImageFailureRow> failures, IReadOnlyList<ImageFieldOfViewRow> fieldsOfView, CancellationToken ct = default) =>
        SaveBatchAsync(runId, imageKeys, results, failures, fieldsOfView, [], [], ct);

    /// <summary>As above, with the images' faithfulness metrics and randomisation checks (replacing earlier ones for these keys too).</summary>
    public async Task SaveBatchAsync(Guid runId, IReadOnlyCollection<string> imageKeys, IReadOnlyList<ImageResultRow> results,
        IReadOnlyList<ImageFailureRow> failures, IReadOnlyList<ImageFieldOfViewRow> fieldsOfView, IReadOnlyList<ImageMetricRow> imageMetrics,
        IReadOnlyList<ImageSanityRow> sanity, CancellationToken ct = default)
    {
        await using var db = openDb();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var keys = imageKeys.ToList();
        await ImageLocks.AcquireAsync(db, runId, keys, ct);
        await db.ImageResults.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ExecuteDeleteAsync(ct);
        await db.ImageFailures.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ExecuteDeleteAsync(ct);
        await db.ImageFieldsOfView.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ExecuteDeleteAsync(ct);
        await db.ImageMetrics.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ExecuteDeleteAsync(ct);
        await db.ImageSanity.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ExecuteDeleteAsync(ct);
        var now = DateTime.UtcNow;
        foreach (var r in results) { r.RunId = runId; r.CreatedAt = now; }
        foreach (var f in failures) { f.RunId = runId; f.CreatedAt = now; }
        foreach (var v in fieldsOfView) { v.RunId = runId; v.CreatedAt = now; }
        foreach (var m in imageMetrics) { m.RunId = runId; m.CreatedAt = now; }
        foreach (var m in sanity) { m.RunId = runId; m.CreatedAt = now; }
        db.ImageResults.AddRange(results);
        db.ImageFailures.AddRange(failures);
        db.ImageFieldsOfView.AddRange(fieldsOfView);
        db.ImageMetrics.AddRange(imageMetrics);
        db.ImageSanity.AddRange(sanity);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Failures found before any worker ran (e.g. a label row whose image is absent).</summary>
    public Task SaveFailuresAsync(Guid runId, IReadOnlyList<ImageFailureRow> failures, CancellationToken ct = default) =>
        SaveBatchAsync(runId, failures.Select(f => f.ImageKey).ToList(), [], failures, ct);

    /// <summary>
    /// Recounts explained and failed images from the rows and stores the counts on the run. The
    /// counting happens inside the UPDATE, and on PostgreSQL only after the run's row is locked, so
    /// the statement's snapshot is newer than any earlier refresh's: concurrent handlers (the
    /// coordinator's and the workers') can no longer write an older count over a newer one. SQLite
    /// runs one writer at a time and a single UPDATE reads under its write lock.
    /// </summary>
    public async Task<RunProgress> RefreshProgressAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.IsPostgres)
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM runs WHERE id = {runId} FOR UPDATE", ct);
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Explained, r => db.ImageResults.Where(x => x.RunId == r.Id).Select(x => x.ImageKey).Distinct().Count())
            // An image with some maps stored is explained even when one of its methods failed it (a
            // non-finite map): its failure row says which; counted here it would count twice.
            .SetProperty(r => r.Failed, r => db.ImageFailures.Count(x => x.RunId == r.Id
                && !db.ImageResults.Any(y => y.RunId == r.Id && y.ImageKey == x.ImageKey)))
            .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
        var run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId, ct);
        await tx.CommitAsync(ct);
        return new RunProgress(runId, run.Status, run.Expected, run.Explained, run.Failed);
    }

    /// <summary>Moves a run from one status to another; false when another process already did.</summary>
    public async Task<bool> TryTransitionAsync(Guid runId, string from, string to, string? error = null, CancellationToken ct = default)
    {
        await using var db = openDb();
        var now = DateTime.UtcNow;
        int changed = await db.Runs.Where(r => r.Id == runId && r.Status == from).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, to)
            .SetProperty(r => r.Error, r => error ?? r.Error)
            .SetProperty(r => r.UpdatedAt, now)
            .SetProperty(r => r.CompletedAt, r => to == RunStatus.Completed || to == RunStatus.Failed ? now : r.CompletedAt), ct);
        return changed == 1;
    }

    public async Task<List<ImageResultRow>> ResultsAsync(Guid runId, string method, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageResults.AsNoTracking().Where(r => r.RunId == runId && r.Method == method).OrderBy(r => r.ImageKey).ToListAsync(ct);
    }

    /// <summary>Whether the run is multi-label: its rows carry the present findings and keep one map per (image, finding).</summary>
    public async Task<bool> IsMultiLabelAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageResults.AsNoTracking().AnyAsync(r => r.RunId == runId && r.PredictedFindingsJson != null, ct);
    }

    public async Task<List<ImageResultRow>> AllResultsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageResults.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.ImageKey).ThenBy(r => r.Method).ToListAsync(ct);
    }

    /// <summary>Which of these image keys already have results in the run.</summary>
    public async Task<List<string>> ResultsKeysAsync(Guid runId, IReadOnlyCollection<string> imageKeys, CancellationToken ct = default)
    {
        await using var db = openDb();
        var keys = imageKeys.ToList();
        return await db.ImageResults.Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).Select(r => r.ImageKey).Distinct().ToListAsync(ct);
    }

    /// <summary>The run's stored fields of view, by image key (empty for runs made before detection).</summary>
    public async Task<Dictionary<string, ImageFieldOfViewRow>> FieldsOfViewAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageFieldsOfView.AsNoTracking().Where(r => r.RunId == runId).ToDictionaryAsync(r => r.ImageKey, ct);
    }

    public async Task<List<ImageFailureRow>> FailuresAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageFailures.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.ImageKey).ToListAsync(ct);
    }

    public async Task<List<ClassAggregateRow>> ClassAggregatesAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ClassAggregates.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.Method).ThenBy(r => r.ClassIndex).ToListAsync(ct);
    }

    /// <summary>Replaces a run's class aggregates for a method: running the aggregator twice gives the same rows.</summary>
    public async Task ReplaceClassAggregatesAsync(Guid runId, string method, IReadOnlyList<ClassAggregateRow> rows, CancellationToken ct = default)
    {
        await ReplaceAsync(runId, db => db.ClassAggregates, r => r.RunId == runId && r.Method == method, rows,
            (r, now) => { r.RunId = runId; r.Method = method; r.CreatedAt = now; }, ct);
    }

    /// <summary>Replaces a run's CLEAR dominance rows for a method: running the aggregator twice gives the same rows.</summary>
    public async Task ReplaceClassDominanceAsync(Guid runId, string method, IReadOnlyList<ClassDominanceRow> rows, CancellationToken ct = default)
    {
        await ReplaceAsync(runId, db => db.ClassDominance, r => r.RunId == runId && r.Method == method, rows,
            (r, now) => { r.RunId = runId; r.Method = method; r.CreatedAt = now; }, ct);
    }

    /// <summary>
    /// Deletes the rows <paramref name="which"/> selects and inserts <paramref name="rows"/>, stamped, in one
    /// transaction; two aggregations of one run (a redelivered RunCompleted beside the sweep's) take turns.
    /// </summary>
    private async Task ReplaceAsync<T>(Guid runId, Func<ResultsDb, DbSet<T>> table, System.Linq.Expressions.Expression<Func<T, bool>> which,
        IReadOnlyList<T> rows, Action<T, DateTime> stamp, CancellationToken ct) where T : class
    {
        await using var db = openDb();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await ImageLocks.AcquireRunTableAsync(db, runId, typeof(T).Name, ct);
        await table(db).Where(which).ExecuteDeleteAsync(ct);
        var now = DateTime.UtcNow;
        foreach (var r in rows) stamp(r, now);
        table(db).AddRange(rows);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<List<ClassDominanceRow>> ClassDominanceAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ClassDominance.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Method).ThenBy(r => r.ClassIndex).ThenBy(r => r.DominantClass).ToListAsync(ct);
    }

    /// <summary>Replaces all of a run's SpRAy clusters: auditing a run twice gives the same rows.</summary>
    public Task ReplaceSprayClustersAsync(Guid runId, IReadOnlyList<SprayClusterRow> rows, CancellationToken ct = default) =>
        ReplaceAsync(runId, db => db.SprayClusters, r => r.RunId == runId, rows, (r, now) => { r.RunId = runId; r.CreatedAt = now; }, ct);

    public async Task<List<SprayClusterRow>> SprayClustersAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.SprayClusters.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Method).ThenBy(r => r.ClassIndex).ThenBy(r => r.ClusterIndex).ToListAsync(ct);
    }

    /// <summary>Replaces all of a run's causal-check rows: auditing a run twice gives the same rows.</summary>
    public Task ReplaceCausalChecksAsync(Guid runId, IReadOnlyList<CausalCheckRow> rows, CancellationToken ct = default) =>
        ReplaceAsync(runId, db => db.CausalChecks, r => r.RunId == runId, rows, (r, now) => { r.RunId = runId; r.CreatedAt = now; }, ct);

    public async Task<List<CausalCheckRow>> CausalChecksAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.CausalChecks.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.ClassIndex).ThenBy(r => r.Region).ToListAsync(ct);
    }

    /// <summary>Replaces all of a run's audit findings in one transaction: auditing a run twice gives the same rows.</summary>
    public async Task ReplaceAuditFindingsAsync(Guid runId, IReadOnlyList<AuditFindingRow> rows, CancellationToken ct = default)
    {
        await ReplaceAsync(runId, db => db.AuditFindings, r => r.RunId == runId, rows, (r, now) => { r.RunId = runId; r.CreatedAt = now; }, ct);
    }

    public async Task<List<AuditFindingRow>> AuditFindingsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.AuditFindings.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Method).ThenBy(r => r.ClassIndex).ThenBy(r => r.Kind).ToListAsync(ct);
    }

    /// <summary>Replaces all of a run's model metrics: aggregating a run twice gives the same rows.</summary>
    public Task ReplaceModelMetricsAsync(Guid runId, IReadOnlyList<ModelMetricRow> rows, CancellationToken ct = default) =>
        ReplaceAsync(runId, db => db.ModelMetrics, r => r.RunId == runId, rows, (r, now) => { r.RunId = runId; r.CreatedAt = now; }, ct);

    public async Task<List<ModelMetricRow>> ModelMetricsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ModelMetrics.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Metric).ThenBy(r => r.ClassIndex).ThenBy(r => r.PredictedIndex).ToListAsync(ct);
    }

    public async Task<List<ImageMetricRow>> ImageMetricsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageMetrics.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.ImageKey).ThenBy(r => r.Method).ThenBy(r => r.TargetClass).ThenBy(r => r.Metric).ToListAsync(ct);
    }

    public async Task<List<ImageSanityRow>> ImageSanityAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ImageSanity.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Method).ThenBy(r => r.LayersRandomized).ThenBy(r => r.ImageKey).ThenBy(r => r.TargetClass).ToListAsync(ct);
    }

    /// <summary>Replaces all of a run's class metric summaries: aggregating a run twice gives the same rows.</summary>
    public Task ReplaceClassMetricsAsync(Guid runId, IReadOnlyList<ClassMetricRow> rows, CancellationToken ct = default) =>
        ReplaceAsync(runId, db => db.ClassMetrics, r => r.RunId == runId, rows, (r, now) => { r.RunId = runId; r.CreatedAt = now; }, ct);

    public async Task<List<ClassMetricRow>> ClassMetricsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.ClassMetrics.AsNoTracking().Where(r => r.RunId == runId)
            .OrderBy(r => r.Method).ThenBy(r => r.ClassIndex).ThenBy(r => r.Metric).ToListAsync(ct);
    }
}
