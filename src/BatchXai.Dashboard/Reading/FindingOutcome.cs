using System.Text.Json;

namespace BatchXai.Dashboard.Reading;

/// <summary>
/// Correct or wrong on a multi-label run, where each finding is a classifier of its own: an (image, finding) pair is
/// correct when the finding's being predicted present (probability ≥ the run's threshold) equals its being labelled;
/// an image is correct when every labelled pair it was explained for is, wrong when any is. Null: no finding labels.
/// </summary>
public static class FindingOutcome
{
    /// <param name="labelFindingsJson">the row's labelled findings (JSON array; null when the image has no finding labels).</param>
    /// <param name="predictedFindingsJson">the row's present findings (JSON array).</param>
    public static bool? Of(int finding, string? labelFindingsJson, string? predictedFindingsJson)
    {
        if (labelFindingsJson is null || predictedFindingsJson is null) return null;
        bool labelled = (JsonSerializer.Deserialize<int[]>(labelFindingsJson) ?? []).Contains(finding);
        bool predicted = (JsonSerializer.Deserialize<int[]>(predictedFindingsJson) ?? []).Contains(finding);
        return labelled == predicted;
    }

    /// <summary>An image from its pairs: wrong when any labelled pair is, correct when all are, null when none is labelled.</summary>
    public static bool? OfImage(IEnumerable<bool?> pairs)
    {
        var known = pairs.OfType<bool>().ToList();
        return known.Count == 0 ? null : known.All(p => p);
    }
}
