using BatchXai.Core.Options;

namespace BatchXai.Contracts;

/// <summary>Which images enter a class's views — average map, ROI table, distributions, audit (CRM paper §4.2 uses correctly classified ones).</summary>
public enum ClassSelection
{
    /// <summary>True label = c and prediction = c (the default when the dataset has labels).</summary>
    Correct,
    /// <summary>True label = c, whatever the prediction.</summary>
    Label,
    /// <summary>Prediction = c, whatever the label (the default for unlabelled data).</summary>
    Predicted,
}

/// <summary>The run option <c>class-selection</c> (correct | predicted | label), carried with the method options.</summary>
public static class ClassSelectionOption
{
    public const string Name = "class-selection";

    /// <summary>Its declaration; the default shown is the labelled one (<see cref="Resolve"/> picks predicted for unlabelled data).</summary>
    public static readonly ChoiceOption<ClassSelection> Spec = new(Name,
        "images that make each class's views (average maps, ROI table, score distributions, audit): correct (label = prediction = the class), predicted (prediction = the class; the default without labels) or label", ClassSelection.Correct);

    /// <summary>The options with <c>class-selection</c> checked, or set to its default: correct when the dataset has labels, predicted otherwise.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string>? options, bool labelled)
    {
        var resolved = new Dictionary<string, string>(options ?? new Dictionary<string, string>());
        var selection = resolved.ContainsKey(Name) ? Of(resolved) : labelled ? ClassSelection.Correct : ClassSelection.Predicted;
        resolved[Name] = NameOf(selection);
        return resolved;
    }

    /// <summary>The selection the options name; <see cref="ClassSelection.Correct"/> for runs stored before the option existed.</summary>
    public static ClassSelection Of(IReadOnlyDictionary<string, string>? options)
    {
        if (options is null || !options.TryGetValue(Name, out var text)) return ClassSelection.Correct;
        return Spec.Parse(text.Trim());
    }

    public static string NameOf(ClassSelection selection) => selection.ToString().ToLowerInvariant();
}
