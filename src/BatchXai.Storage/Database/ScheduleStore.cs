using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>The coordinator's recurring runs, as rows.</summary>
public sealed class ScheduleStore(Func<ResultsDb> openDb)
{
    public async Task CreateAsync(ScheduleRow schedule, CancellationToken ct = default)
    {
        await using var db = openDb();
        schedule.CreatedAt = schedule.UpdatedAt = DateTime.UtcNow;
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(ct);
    }

    public async Task<ScheduleRow?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
    }

    public async Task<bool> NameTakenAsync(string name, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Schedules.AnyAsync(s => s.Name == name, ct);
    }

    public async Task<List<ScheduleRow>> AllAsync(CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Schedules.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
    }

    /// <summary>Records what a firing did.</summary>
    public async Task RecordFiringAsync(Guid id, DateTime firedAt, Guid? runId, string outcome, CancellationToken ct = default)
    {
        await using var db = openDb();
        await db.Schedules.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.LastFiredAt, firedAt)
            .SetProperty(r => r.LastRunId, r => runId ?? r.LastRunId)
            .SetProperty(r => r.LastOutcome, outcome)
            .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
    }
}
