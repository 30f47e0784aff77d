using BatchXai.Storage.Database;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Dashboard.Reading;

/// <summary>A stored per-image result without its low-resolution map: what lists and pages show. <paramref name="MultiLabel"/>:
/// a multi-label run's row, one per (image, method, finding), its finding the <paramref name="TargetClass"/>;
/// <paramref name="FindingCorrect"/>: that pair's <see cref="FindingOutcome"/> (null on single-label runs and unlabelled images).</summary>
public sealed record ImageResultSummary(string ImageKey, string Method, int? Label, int Predicted, int TargetClass, string ProbabilitiesJson,
    double MapMax, double MapMean, int RoiPixels, double RoiRatio, int RoiX0, int RoiY0, int RoiX1, int RoiY1, double? CompletenessDelta, bool MultiLabel,
    bool? FindingCorrect = null);

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
        if (filter.Outcome is ImageOutcome.Correct or ImageOutcome.Wrong && await rows.AnyAsync(r => r.PredictedFindingsJson != null, ct))
            return await MultiLabelOutcomeAsync(rows, filter, ct);
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

    /// <summary>Correct / wrong on a multi-label run, by <see cref="FindingOutcome"/> over the (image, finding) pairs the class
    /// filter left: the findings JSON is read here, not in SQL (one row per pair of the index method).</summary>
    private static async Task<(int Total, List<string> Keys)> MultiLabelOutcomeAsync(IQueryable<ImageResultRow> rows, ImageFilter filter, CancellationToken ct)
    {
        var pairs = await rows.Select(r => new { r.ImageKey, r.TargetClass, r.LabelFindingsJson, r.PredictedFindingsJson }).ToListAsync(ct);
        bool wanted = filter.Outcome == ImageOutcome.Correct;
        var keys = pairs.GroupBy(p => p.ImageKey, StringComparer.Ordinal)
            .Where(g => FindingOutcome.OfImage(g.Select(p => FindingOutcome.Of(p.TargetClass, p.LabelFindingsJson, p.PredictedFindingsJson))) == wanted)
            .Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        return (keys.Count, keys.Skip(filter.Offset).Take(filter.Limit).ToList());
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
        var rows = await db.ImageResults.AsNoTracking().Where(r => r.RunId == runId && keys.Contains(r.ImageKey))
            .OrderBy(r => r.ImageKey).ThenBy(r => r.Method).ThenBy(r => r.TargetClass)
            .Select(r => new
            {
                Summary = new ImageResultSummary(r.ImageKey, r.Method, r.Label, r.Predicted, r.TargetClass, r.ProbabilitiesJson,
                    r.MapMax, r.MapMean, r.RoiPixels, r.RoiRatio, r.RoiX0, r.RoiY0, r.RoiX1, r.RoiY1, r.CompletenessDelta, r.PredictedFindingsJson != null, null),
                r.LabelFindingsJson,
                r.PredictedFindingsJson,
            })
            .ToListAsync(ct);
        return [.. rows.Select(x => x.Summary.MultiLabel
            ? x.Summary with { FindingCorrect = FindingOutcome.Of(x.Summary.TargetClass, x.LabelFindingsJson, x.PredictedFindingsJson) }
            : x.Summary)];
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
