using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// The coordinator's own settings: COORDINATOR_PORT, RESULTS_URI (where runs write unless a
/// request says otherwise), MODELS_DIR (where a model given by name is looked up), BATCH_SIZE
/// (images per ExplainBatch message unless a request says otherwise).
/// </summary>
public sealed record CoordinatorSettings(int Port, string ResultsUri, string? ModelsDir, int BatchSize)
{
    public const int DefaultPort = 8080;

    public static CoordinatorSettings From(IConfiguration config) => new(
        config.IntIn("COORDINATOR_PORT", DefaultPort, 0, 65535),
        config.Text("RESULTS_URI") ?? "s3://batchxai/results",
        config.Text("MODELS_DIR"),
        config.IntIn("BATCH_SIZE", RunCoordinator.DefaultBatchSize, RunCoordinator.MinBatchSize, RunCoordinator.MaxBatchSize));
}
