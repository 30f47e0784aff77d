using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using BatchXai.Storage.Models;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// The coordinator's own settings: COORDINATOR_PORT, RESULTS_URI (where runs write unless a
/// request says otherwise), MODELS_DIR (a local folder where a model given by name is looked up
/// first), MODELS_URI (the s3:// prefix where a model given by name is looked up next, as
/// NAME/manifest.json — what <c>batchxai upload-model</c> writes; default: models/ in the bucket of an
/// s3:// RESULTS_URI), BATCH_SIZE (images per ExplainBatch message unless a request says otherwise).
/// </summary>
public sealed record CoordinatorSettings(int Port, string ResultsUri, string? ModelsDir, int BatchSize, string? ModelsUri = null)
{
    public const int DefaultPort = 8080;

    public static CoordinatorSettings From(IConfiguration config)
    {
        var results = config.Text("RESULTS_URI") ?? "s3://batchxai/results";
        return new(
            config.IntIn("COORDINATOR_PORT", DefaultPort, 0, 65535),
            results,
            config.Text("MODELS_DIR"),
            config.IntIn("BATCH_SIZE", RunCoordinator.DefaultBatchSize, RunCoordinator.MinBatchSize, RunCoordinator.MaxBatchSize),
            config.Text("MODELS_URI") ?? DefaultModelsUri(results));
    }

    /// <summary>models/ in the bucket the results go to (null for local results: no store to look in).</summary>
    public static string? DefaultModelsUri(string resultsUri) =>
        ModelUri.IsRemote(resultsUri) ? $"s3://{StoreLocation.Parse(resultsUri).Bucket}/models" : null;
}
