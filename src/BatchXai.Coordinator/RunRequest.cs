using BatchXai.Contracts;

namespace BatchXai.Coordinator;

/// <summary>What a user asks for: explain this dataset with this model and these methods.</summary>
public sealed record RunRequest(
    string DatasetUri,
    string ModelManifestPath,
    IReadOnlyList<string> Methods,
    string ResultsUri,
    TargetMode Target = TargetMode.Predicted,
    int BatchSize = 32,
    IReadOnlyDictionary<string, string>? MethodOptions = null,
    Guid? ScheduleId = null);

/// <summary>A run that cannot start (bad model, manifest, method choice or dataset): nothing was queued.</summary>
public sealed class RunSetupException(string message, Exception? inner = null) : Exception(message, inner);
