using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>
/// Reads across runs, for the coordinator's API and its incremental runs: run listings and the
/// content hashes already explained with a model and a set of methods.
/// </summary>
public sealed class RunCatalog(Func<ResultsDb> openDb)
{
    /// <summary>The largest IN list sent in one query.</summary>
    private const int HashesPerQuery = 1000;

    /// <summary>The newest runs first.</summary>
    public async Task<List<RunRow>> RecentRunsAsync(int limit, CancellationToken ct = default)
    {
        await using var db = openDb();
        return await db.Runs.AsNoTracking().OrderByDescending(r => r.CreatedAt).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// Which of these content hashes already have a result for every one of <paramref name="methods"/>
    /// from a model with this SHA-256, in any run: the images an incremental run skips.
    /// </summary>
    public async Task<HashSet<string>> ExplainedHashesAsync(string modelSha256, IReadOnlyCollection<string> methods,
        IReadOnlyCollection<string> contentHashes, CancellationToken ct = default)
    {
        var explained = new HashSet<string>(StringComparer.Ordinal);
        var methodList = methods.Distinct().ToList();
        await using var db = openDb();
        foreach (var chunk in contentHashes.Distinct().Chunk(HashesPerQuery))
        {
            var hashes = chunk.ToList();
            var done = await db.ImageResults
                .Join(db.Runs, r => r.RunId, run => run.Id, (r, run) => new { r.ContentSha256, r.Method, run.ModelSha256 })
                .Where(x => x.ModelSha256 == modelSha256 && methodList.Contains(x.Method) && hashes.Contains(x.ContentSha256))
                .Select(x => new { x.ContentSha256, x.Method })
                .Distinct()
                .GroupBy(x => x.ContentSha256)
                .Where(g => g.Count() == methodList.Count)
                .Select(g => g.Key)
                .ToListAsync(ct);
            explained.UnionWith(done);
        }
        return explained;
    }
}
