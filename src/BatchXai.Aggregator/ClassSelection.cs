namespace BatchXai.Aggregator;

/// <summary>Which images enter a class's average map (CRM paper §4.2 uses correctly classified ones).</summary>
public enum ClassSelection
{
    /// <summary>True label = c and prediction = c (default).</summary>
    Correct,
    /// <summary>True label = c, whatever the prediction.</summary>
    Label,
    /// <summary>Prediction = c, whatever the label (works for unlabelled data).</summary>
    Predicted,
}

public static class ClassSelections
{
    public static int? ClassOf(ClassSelection selection, int? label, int predicted) => selection switch
    {
        ClassSelection.Correct => label == predicted ? predicted : null,
        ClassSelection.Label => label,
        ClassSelection.Predicted => predicted,
        _ => throw new ArgumentOutOfRangeException(nameof(selection)),
    };
}
