namespace BatchXai.Coordinator.Datasets;

/// <summary>
/// Maps a label as datasets write it — a grade number ("3") or a class name ("severe", folder
/// "3_severe") — to the model's class index.
/// </summary>
public sealed class LabelResolver(IReadOnlyList<string> classNames)
{
    public bool TryResolve(string label, out int classIndex)
    {
        label = label.Trim();
        if (int.TryParse(label, out classIndex) && classIndex >= 0 && classIndex < classNames.Count) return true;
        for (int i = 0; i < classNames.Count; i++)
        {
            if (string.Equals(classNames[i], label, StringComparison.OrdinalIgnoreCase)) { classIndex = i; return true; }
        }
        // Folder names such as "3_severe" or "2-moderate": a leading index, a separator, a name.
        // The name must hold a letter, so that a number such as "1.5" is not read as class 1.
        int end = 0;
        while (end < label.Length && char.IsAsciiDigit(label[end])) end++;
        if (end > 0 && end < label.Length && !char.IsAsciiLetterOrDigit(label[end]) && label.Skip(end).Any(char.IsLetter)
            && int.TryParse(label.AsSpan(0, end), out classIndex) && classIndex < classNames.Count) return true;
        classIndex = -1;
        return false;
    }

    /// <summary>
    /// A multi-label row's findings ("Effusion;Nodule", "1|3"; empty or "No Finding": none) as class indices, or the first
    /// name that is no class of the model in <paramref name="unknown"/>.
    /// </summary>
    public bool TryResolveFindings(string text, out int[] findings, out string? unknown)
    {
        var resolved = new SortedSet<int>();
        unknown = null;
        foreach (var name in text.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryResolve(name, out int c)) resolved.Add(c);
            else if (!name.Equals("No Finding", StringComparison.OrdinalIgnoreCase)) { unknown = name; break; }
        }
        findings = [.. resolved];
        return unknown is null;
    }

    public string Describe() => string.Join(", ", classNames.Select((n, i) => $"{i}={n}"));
}
