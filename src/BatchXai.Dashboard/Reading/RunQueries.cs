using BatchXai.Storage.Database;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Dashboard.Reading;

/// <summary>A stored per-image result without its low-resolution map: what lists and pages show. <paramref name="MultiLabel"/>:
/// a multi-label run's row, one per (image, method, finding), its finding the <paramref name="TargetClass"/>.</summary>
public sealed record ImageResultSummary(string ImageKey, string Method, int? Label, int Predicted, int TargetClass, string ProbabilitiesJson,
    double MapMax, double MapMean, int RoiPixels, double RoiRatio, int RoiX0, int RoiY0, int RoiX1, int RoiY1, double? CompletenessDelta, bool MultiLabel);

/// <summary>The reads behind the dashboard that <see cref="ResultStore"/> does not already offer: run lists and paged image queries.</summary>
public sealed class RunQueries(Func<ResultsDb> openDb)
{
    public ResultStore Store { get; } = new(openDb);

    public async Task<List<RunRow>> RunsAsync(CancellationToken ct)
    {
        await using var db = openDb();
        return await db.Runs.AsNoTracking().OrderByDescending(r => r.CreatedAt).ToListAsync(ct);
    }

    /// <summary>
    /// One page of explained images (key order) and how many match in all. Each explained image
    /// has a row for every method (a multi-label run's, one per finding); <paramref name="indexMethod"/>'s rows stand for the image.
    /// </summary>
    public async Task<(int Total, List<string> Keys)> ExplainedImagesAsync(Guid runId, string indexMethod, ImageFilter filter, CancellationToken ct)
    {
        await using var db = openDb();
        var rows = db.ImageResults.AsNoTracking().Where(r => r.RunId == runId && r.Method == indexMethod);
        // A class is the label (the prediction when unlabelled); on a multi-label run, the finding a row was explained for.
        if (filter.ClassIndex is int c)
            rows = rows.Where(r => r.PredictedFindingsJson != null ? r.TargetClass == c : r.Label == c || (r.Label == null && r.Predicted == c));
        rows = filter.Outcome switch
        {
            ImageOutcome.Correct => rows.Where(r => r.Label != null && r.Label == r.Predicted),
            ImageOutcome.Wrong => rows.Where(r => r.Label != null && r.Label != r.Predicted),
            _ => rows,
        };
        var imageKeys = rows.Select(r => r.ImageKey).Distinct();
        int total = await imageKeys.CountAsync(ct);
        var keys = await imageKeys.OrderBy(k => k).Skip(filter.Offset).Take(filter.Limit).ToListAsync(ct);
        return (total, keys);
    }

    public async Task<(int Total, List<ImageFailureRow> Rows)> FailedImagesAsync(Guid runId, ImageFilter filter, CancellationToken ct)
    {
        await using var db = openDb();
        var rows = db.ImageFailures.AsNoTracking().Where(r => r.RunId == runId);
        return (await rows.CountAsync(ct), await rows.OrderBy(r => r.ImageKey).Skip(filter.Offset).Take(filter.Limit).ToListAsync(ct));
    }

    /// <summary>Every method's result for these images (a multi-label run's: every finding's).</summary>
    public async Task<List<ImageResultSummary>> ResultsOfAsync(Guid runId, IReadOnlyCollection<string> imageKeys, CancellationToken ct)
    {
        await using var db = openDb();
        var keys = imageKeys.ToList();
        return await db.ImageResults.AsNoTracking().Where(r => r.RunId == runId && keys.Contains(r.ImageKey))
            .OrderBy(r => r.ImageKey).ThenBy(r => r.Method).ThenBy(r => r.TargetClass)
            .Select(r => new ImageResultSummary(r.ImageKey, r.Method, r.Label, r.Predicted, r.TargetClass, r.ProbabilitiesJson,
                r.MapMax, r.MapMean, r.RoiPixels, r.RoiRatio, r.RoiX0, r.RoiY0, r.RoiX1, r.RoiY1, r.CompletenessDelta, r.PredictedFindingsJson != null))
            .ToListAsync(ct);
    }

    public async Task<ImageFailureRow?> FailureOfAsync(Guid runId, string imageKey, CancellationToken ct)
    {
        await using var db = openDb();
        return await db.ImageFailures.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId && r.ImageKey == imageKey, ct);
    }

    /// <summary>Whether the run has this image: explained (any method) or failed. Nothing else of its dataset is shown.</summary>
    public async Task<bool> HasImageAsync(Guid runId, string imageKey, CancellationToken ct)
    {
        await using var db = openDb();
        return await db.ImageResults.AsNoTracking().AnyAsync(r => r.RunId == runId && r.ImageKey == imageKey, ct)
            || await db.ImageFailures.AsNoTracking().AnyAsync(r => r.RunId == runId && r.ImageKey == imageKey, ct);
    }

    /// <summary>The stems (keys without extension) of every image of the run: tells image pictures from run-level ones.</summary>
    public async Task<HashSet<string>> ImageStemsAsync(Guid runId, CancellationToken ct)
    {
        await using var db = openDb();
        var keys = await db.ImageResults.AsNoTracking().Where(r => r.RunId == runId).Select(r => r.ImageKey).Distinct().ToListAsync(ct);
        return keys.Select(Storage.Objects.ResultKeys.StemOf).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The detected fields of view of these images (images without one are absent).</summary>
    public async Task<Dictionary<string, ImageFieldOfViewRow>> FieldsOfViewOfAsync(Guid runId, IReadOnlyCollection<string> imageKeys, CancellationToken ct)
    {
        await using var db = openDb();
        var keys = imageKeys.ToList();
        return await db.ImageFieldsOfView.AsNoTracking().Where(r => r.RunId == runId && keys.Contains(r.ImageKey)).ToDictionaryAsync(r => r.ImageKey, StringComparer.Ordinal, ct);
    }
}
