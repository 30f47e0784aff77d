using BatchXai.Core.Options;

namespace BatchXai.Contracts;

/// <summary>
/// The <c>--target</c> value as users write it and runs store it: <c>predicted</c>, <c>label</c>, or the name of one class or
/// finding (written <c>finding:NAME</c> when the name is itself "predicted" or "label").
/// </summary>
public sealed record TargetChoice(TargetMode Mode, string? Finding = null)
{
    public const string FindingPrefix = "finding:";

    public static readonly TargetChoice Predicted = new(TargetMode.Predicted);

    /// <summary>"predicted", "label" (any case), "finding:NAME" or NAME; blank is predicted.</summary>
    public static TargetChoice Parse(string? text)
    {
        var t = text?.Trim() ?? "";
        if (t.Length == 0 || t.Equals("predicted", StringComparison.OrdinalIgnoreCase)) return Predicted;
        if (t.Equals("label", StringComparison.OrdinalIgnoreCase)) return new(TargetMode.Label);
        var name = t.StartsWith(FindingPrefix, StringComparison.OrdinalIgnoreCase) ? t[FindingPrefix.Length..].Trim() : t;
        return name.Length > 0 ? new(TargetMode.Finding, name) : throw new ArgumentException($"--target '{text}' names no finding");
    }

    /// <summary>How the run row stores it: "predicted", "label" or "finding:NAME".</summary>
    public override string ToString() => Mode == TargetMode.Finding ? FindingPrefix + Finding : Mode.ToString().ToLowerInvariant();

    /// <summary>The class index of the named finding among <paramref name="classes"/> (case-insensitive); null for predicted/label.</summary>
    /// <exception cref="ArgumentException">Names the target and the model's classes when the name is none of them.</exception>
    public int? Resolve(IReadOnlyList<string> classes)
    {
        if (Mode != TargetMode.Finding) return null;
        for (int i = 0; i < classes.Count; i++)
            if (string.Equals(classes[i], Finding, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"--target '{Finding}' is not a class of the model (predicted, label, or one of: {string.Join(", ", classes)})");
    }
}

/// <summary>The run option <c>finding-threshold</c>: the sigmoid probability at which a multi-label head's finding counts as present.</summary>
public static class FindingThresholdOption
{
    public static readonly NumberOption Spec = new("finding-threshold",
        "multi-label (sigmoid) heads: a finding is present when its probability is at least this; --target predicted explains each present finding, class views take its images", 0.5, 0, 1);
}
