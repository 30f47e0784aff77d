namespace BatchXai.Onnx.Manifest;

/// <summary>One thing wrong with a manifest: the field at fault (null for file-level problems) and why.</summary>
public sealed record ManifestProblem(string? Field, string Message)
{
    public override string ToString() => Field is null ? Message : $"field '{Field}' {Message}";
}

/// <summary>
/// A manifest that cannot be used. <see cref="Field"/> names the (first) field at fault, e.g.
/// "input.mean"; <see cref="Problems"/> lists every problem found; the message starts with the
/// manifest's path.
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(string manifestPath, IReadOnlyList<ManifestProblem> problems, Exception? inner = null)
        : base(Format(manifestPath, problems), inner)
    {
        if (problems.Count == 0)
            throw new ArgumentException("a ManifestException needs at least one problem", nameof(problems));
        ManifestPath = manifestPath;
        Problems = problems;
    }

    public ManifestException(string manifestPath, string? field, string message, Exception? inner = null)
        : this(manifestPath, [new ManifestProblem(field, message)], inner) { }

    public string ManifestPath { get; }

    public string? Field => Problems[0].Field;

    public IReadOnlyList<ManifestProblem> Problems { get; }

    private static string Format(string path, IReadOnlyList<ManifestProblem> problems) =>
        problems.Count == 1
            ? $"{path}: {problems[0]}"
            : $"{path}: {problems.Count} problems:" + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"));
}
