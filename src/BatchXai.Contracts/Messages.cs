namespace BatchXai.Contracts;

/// <summary>One image of a dataset: its key relative to the dataset root and its label, if known.</summary>
public sealed record ImageRef(string Key, int? Label);

/// <summary>What a worker needs to explain a batch without asking anyone: carried in every message.</summary>
public sealed record RunSettings(
    string DatasetUri,
    string ModelManifestUri,
    string ResultsUri,
    IReadOnlyList<string> Methods,
    TargetMode Target,
    IReadOnlyDictionary<string, string>? MethodOptions = null);

/// <summary>Which class each image is explained for.</summary>
public enum TargetMode
{
    /// <summary>The model's predicted class (default).</summary>
    Predicted,
    /// <summary>The image's true label; images without one fall back to the prediction.</summary>
    Label,
}

/// <summary>Coordinator → workers: explain these images (RunCoordinator's batch size, 32 by default).</summary>
public sealed record ExplainBatch(Guid RunId, int BatchIndex, RunSettings Settings, IReadOnlyList<ImageRef> Images);

/// <summary>Worker → coordinator: a batch is stored (results and failures written, idempotently).</summary>
public sealed record BatchExplained(Guid RunId, int BatchIndex, int Explained, int Failed);

/// <summary>Coordinator → aggregator: every image of the run is explained or failed.</summary>
public sealed record RunCompleted(Guid RunId);
