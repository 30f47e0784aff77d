namespace BatchXai.Contracts;

/// <summary>One image of a dataset: its key relative to the dataset root, its label if known, and the key of
/// its ground-truth mask when the label file names one (column <c>mask</c>; otherwise masks are looked for under <c>masks/</c>).</summary>
/// <param name="Findings">Multi-label datasets (labels.csv with a <c>findings</c> column): the image's labelled findings as class
/// indices, empty for an image labelled with none; null when the dataset gives no finding labels.</param>
public sealed record ImageRef(string Key, int? Label, string? Mask = null, IReadOnlyList<int>? Findings = null)
{
    /// <summary>The folder at a dataset's root that holds ground-truth masks: never images to explain, never a class.</summary>
    public const string MasksFolder = "masks";
}

/// <summary>What a worker needs to explain a batch without asking anyone: carried in every message.</summary>
/// <param name="ModelManifestUri">The model's manifest: s3://bucket/key/manifest.json (workers fetch it) or a path on a volume every worker mounts.</param>
/// <param name="ModelFiles">The manifest and every file it names, with the SHA-256 the coordinator read; workers refuse a model
/// whose bytes differ. Null in messages queued before models were hashed.</param>
/// <param name="TargetFinding">With <see cref="TargetMode.Finding"/>: the class index of the one finding every image is explained for.</param>
public sealed record RunSettings(
    string DatasetUri,
    string ModelManifestUri,
    string ResultsUri,
    IReadOnlyList<string> Methods,
    TargetMode Target,
    IReadOnlyDictionary<string, string>? MethodOptions = null,
    IReadOnlyList<ModelFile>? ModelFiles = null,
    int? TargetFinding = null);

/// <summary>One file of a model: its path relative to the manifest's folder ('/'-separated; the manifest itself first), SHA-256 (lower-case hex) and length.</summary>
public sealed record ModelFile(string Path, string Sha256, long Length);

/// <summary>Which class each image is explained for (multi-label heads: which findings; see <see cref="TargetChoice"/>).</summary>
public enum TargetMode
{
    /// <summary>The model's predicted class (default); multi-label: every finding at or above --finding-threshold.</summary>
    Predicted,
    /// <summary>The image's true label; images without one fall back to the prediction. Multi-label: every labelled finding.</summary>
    Label,
    /// <summary>One named class or finding for every image (<see cref="RunSettings.TargetFinding"/>).</summary>
    Finding,
}

/// <summary>Coordinator → workers: explain these images (RunCoordinator's batch size, 32 by default).</summary>
public sealed record ExplainBatch(Guid RunId, int BatchIndex, RunSettings Settings, IReadOnlyList<ImageRef> Images);

/// <summary>Worker → coordinator: a batch is stored (results and failures written, idempotently).</summary>
public sealed record BatchExplained(Guid RunId, int BatchIndex, int Explained, int Failed);

/// <summary>Coordinator → aggregator: every image of the run is explained or failed.</summary>
public sealed record RunCompleted(Guid RunId);
