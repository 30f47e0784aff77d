using System.Collections.Concurrent;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Reading;

/// <summary>A stored picture of one image: the folder it lies in (the method) and what it shows.</summary>
public sealed record ImagePicture(string Folder, string Kind, string Key);

/// <summary>
/// Every PNG a run stored, indexed so that an image's pictures can be found by its key whatever
/// methods wrote them (<c>&lt;run&gt;/&lt;folder&gt;/&lt;image stem&gt;[.&lt;kind&gt;].png</c>, e.g. an overlay and
/// a CLEAR composite) plus the run-level pictures that belong to no image (e.g. a legend). The
/// listing is kept for a completed run and refreshed every few seconds for one still running.
/// </summary>
public sealed class RunPictures(RunStores stores)
{
    private static readonly TimeSpan RefreshRunning = TimeSpan.FromSeconds(10);
    private const int RunsKept = 16;
    private readonly ConcurrentDictionary<Guid, (DateTime At, string Status, string[] Keys)> _index = new();

    /// <summary>Keys relative to the run folder, ordinal order, PNGs only, class views excluded.</summary>
    public async Task<string[]> KeysAsync(RunRow run, CancellationToken ct)
    {
        if (_index.TryGetValue(run.Id, out var cached) && (cached.Status == RunStatus.Completed && run.Status == RunStatus.Completed
            || DateTime.UtcNow - cached.At < RefreshRunning)) return cached.Keys;
        var prefix = ResultKeys.RunFolder(run.Id) + "/";
        var keys = new List<string>();
        await foreach (var key in stores.Results(run).ListAsync(prefix, ct))
        {
            var relative = key[prefix.Length..];
            if (relative.EndsWith(".png", StringComparison.Ordinal) && !relative.StartsWith("classes/", StringComparison.Ordinal)) keys.Add(relative);
        }
        var sorted = keys.Order(StringComparer.Ordinal).ToArray();
        if (_index.Count >= RunsKept) _index.Clear();
        _index[run.Id] = (DateTime.UtcNow, run.Status, sorted);
        return sorted;
    }

    /// <summary>The pictures of one image, every folder, in folder then kind order.</summary>
    public static IReadOnlyList<ImagePicture> Of(string[] keys, IEnumerable<string> folders, string imageKey)
    {
        var stemPath = ResultKeys.StemOf(imageKey);
        var found = new List<ImagePicture>();
        foreach (var folder in folders)
        {
            var prefix = $"{folder}/{stemPath}.";
            int i = LowerBound(keys, prefix);
            for (; i < keys.Length && keys[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                // "<stem>.png" is the method's overlay; "<stem>.<kind>.png" another picture of it.
                // Anything else belongs to another image whose stem starts with this one.
                var suffix = keys[i][prefix.Length..];
                var kind = suffix == "png" ? "overlay" : suffix[..^".png".Length];
                if (kind.Length == 0 || kind.Contains('.') || kind.Contains('/')) continue;
                found.Add(new ImagePicture(folder, kind, keys[i]));
            }
        }
        return found;
    }

    /// <summary>The folders an image's pictures can lie in: every first path segment of the run's keys.</summary>
    public static IReadOnlyList<string> Folders(string[] keys) =>
        keys.Where(k => k.Contains('/')).Select(k => k[..k.IndexOf('/')]).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Pictures directly in a method folder or the run folder that name no image, e.g. a palette legend.</summary>
    public static IReadOnlyList<string> RunLevel(string[] keys, IReadOnlySet<string> imageStemPaths) =>
        keys.Where(k =>
        {
            int slash = k.IndexOf('/');
            if (slash < 0) return true;
            var name = k[(slash + 1)..^".png".Length];
            if (name.Contains('/')) return false;
            int dot = name.LastIndexOf('.');
            return !imageStemPaths.Contains(name) && (dot < 0 || !imageStemPaths.Contains(name[..dot]));
        }).ToList();

    private static int LowerBound(string[] keys, string prefix)
    {
        int lo = 0, hi = keys.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(keys[mid], prefix) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
