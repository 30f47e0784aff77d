using BatchXai.Contracts;

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
}
