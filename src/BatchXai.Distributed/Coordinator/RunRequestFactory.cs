using BatchXai.Contracts;
using BatchXai.Coordinator;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// Turns an API request into the coordinator's <see cref="RunRequest"/>: fills in the defaults,
/// finds a model given by name, and says which field is wrong when one is.
/// </summary>
public sealed class RunRequestFactory(CoordinatorSettings settings)
{
    public RunRequest Create(StartRunRequest request, Guid? scheduleId = null)
    {
        if (string.IsNullOrWhiteSpace(request.Dataset)) throw new RunSetupException("field 'dataset' is required (e.g. s3://bucket/datasets/aptos)");
        if (string.IsNullOrWhiteSpace(request.Model)) throw new RunSetupException("field 'model' is required (a manifest path or a model name in MODELS_DIR)");
        var methods = request.Methods is { Count: > 0 } m ? m.Select(x => x.Trim()).Where(x => x.Length > 0).ToList() : ["crm"];
        int batchSize = request.BatchSize ?? settings.BatchSize;
        if (batchSize is < CoordinatorSettings.MinBatchSize or > CoordinatorSettings.MaxBatchSize)
            throw new RunSetupException($"field 'batchSize' = {batchSize} is outside {CoordinatorSettings.MinBatchSize}..{CoordinatorSettings.MaxBatchSize}");
        var target = TargetMode.Predicted;
        if (request.Target is { Length: > 0 } t && !Enum.TryParse(t, ignoreCase: true, out target))
            throw new RunSetupException($"field 'target' = '{t}': use predicted or label");
        return new RunRequest(request.Dataset.Trim(), ResolveModel(request.Model.Trim()), methods, request.Results ?? settings.ResultsUri,
            target, batchSize, request.Options, scheduleId);
    }

    /// <summary>A manifest path as given, or "name" as MODELS_DIR/name.json.</summary>
    private string ResolveModel(string model)
    {
        if (File.Exists(model)) return Path.GetFullPath(model);
        if (settings.ModelsDir is { } dir)
        {
            var named = Path.Combine(dir, model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? model : model + ".json");
            if (File.Exists(named)) return Path.GetFullPath(named);
        }
        throw new RunSetupException($"field 'model': no manifest '{model}'" + (settings.ModelsDir is { } d ? $" and no {model}.json in {d}" : " (set MODELS_DIR to give models by name)"));
    }
}
