using BatchXai.Contracts;
using BatchXai.Core.Maps;

namespace BatchXai.Worker;

/// <summary>
/// The (image, method) pairs of a batch whose maps hold NaN or infinite values. Such a map is not
/// stored (nor measured): that image fails for that method with a reason naming the method, while its
/// other methods' maps and the batch's other images are stored as usual. Before, one such value failed
/// the whole batch at the database (SQLite refuses NaN). An image keeps one failure row (the row is
/// unique per image): its reason lists every method that failed it.
/// </summary>
public sealed class UnstorableMaps(int images)
{
    private readonly List<string>?[] _reasons = new List<string>?[images];
    private readonly bool[] _stored = new bool[images];

    /// <summary>Which of a method's maps can be stored (true) — the others are recorded with why.</summary>
    /// <param name="imageOf">The image each map belongs to (map j is image <c>imageOf[j]</c>'s: one per image, or one per
    /// (image, finding) on a multi-label head).</param>
    public bool[] Check(string method, IReadOnlyList<ExplanationMap> maps, IReadOnlyList<int> imageOf)
    {
        var usable = new bool[maps.Count];
        for (int j = 0; j < maps.Count; j++)
        {
            int i = imageOf[j];
            if (maps[j].WhyNotFinite() is { } why) (_reasons[i] ??= []).Add($"{method}: {why}");
            else usable[j] = _stored[i] = true;
        }
        return usable;
    }

    /// <summary>Images with at least one stored map.</summary>
    public int StoredImages => _stored.Count(s => s);

    /// <summary>Records a failure for every image that had an unstorable map.</summary>
    public void RecordFailures(PreparedBatch batch)
    {
        for (int i = 0; i < _reasons.Length; i++)
        {
            if (_reasons[i] is not { } reasons) continue;
            var rest = _stored[i] ? "; the image's other methods' maps are stored" : "";
            batch.Fail(batch.Images[i].Key, FailureStage.Explain,
                $"non-finite map values, no map stored for {string.Join("; ", reasons)}{rest}");
        }
    }
}
