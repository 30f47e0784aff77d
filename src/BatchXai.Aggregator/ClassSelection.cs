using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator;

public static class ClassSelections
{
    /// <summary>The class whose views an image enters under <paramref name="selection"/>, or null when it enters none.</summary>
    public static int? ClassOf(ClassSelection selection, int? label, int predicted) => selection switch
    {
        ClassSelection.Correct => label == predicted ? predicted : null,
        ClassSelection.Label => label,
        ClassSelection.Predicted => predicted,
        _ => throw new ArgumentOutOfRangeException(nameof(selection)),
    };

    /// <summary>
    /// The class whose views a stored map enters. A single-label row goes by its image's label and prediction as above. A
    /// multi-label row (its map explains finding f = its target class) enters f's views when the image is positive for f:
    /// correct — f is labelled and its probability reached the threshold; label — f is labelled; predicted — its probability
    /// reached the threshold. So each finding's views average the maps explained for it, over its positive images.
    /// </summary>
    public static int? ClassOf(ClassSelection selection, ImageResultRow row)
    {
        if (row.PredictedFindingsJson is not { } predictedJson) return ClassOf(selection, row.Label, row.Predicted);
        int finding = row.TargetClass;
        bool predicted = Findings(predictedJson).Contains(finding);
        bool labelled = row.LabelFindingsJson is { } labelJson && Findings(labelJson).Contains(finding);
        bool positive = selection switch
        {
            ClassSelection.Correct => labelled && predicted,
            ClassSelection.Label => labelled,
            ClassSelection.Predicted => predicted,
            _ => throw new ArgumentOutOfRangeException(nameof(selection)),
        };
        return positive ? finding : null;
    }

    private static int[] Findings(string json) => JsonSerializer.Deserialize<int[]>(json) ?? [];
}
