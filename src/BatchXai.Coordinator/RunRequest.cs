using BatchXai.Contracts;

namespace BatchXai.Coordinator;

/// <summary>What a user asks for: explain this dataset with this model and these methods.</summary>
/// <param name="TargetFinding">The class or finding every image is explained for (<c>--target NAME</c>); null: <paramref name="Target"/> decides.</param>
public sealed record RunRequest(
    string DatasetUri,
    string ModelManifestPath,
    IReadOnlyList<string> Methods,
    string ResultsUri,
    TargetMode Target = TargetMode.Predicted,
    int BatchSize = 32,
    IReadOnlyDictionary<string, string>? MethodOptions = null,
    Guid? ScheduleId = null,
    string? TargetFinding = null)
{
    /// <summary>What <c>--target</c> asked for: <see cref="TargetFinding"/>, when set, names one class or finding.</summary>
    public TargetChoice TargetChoice => TargetFinding is { } finding ? new(TargetMode.Finding, finding) : new(Target);
}

/// <summary>A run that cannot start (bad model, manifest, method choice or dataset): nothing was queued.</summary>
public sealed class RunSetupException(string message, Exception? inner = null) : Exception(message, inner);
