using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Storage.Models;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// Turns an API request into the coordinator's <see cref="RunRequest"/>: fills in the defaults,
/// finds a model given by name, keeps dataset, model and results inside the locations the
/// operator allows (<see cref="RequestLimits"/>), and says which field is wrong when one is.
/// </summary>
public sealed class RunRequestFactory(CoordinatorSettings settings, RequestLimits limits)
{
    public RunRequest Create(StartRunRequest request, Guid? scheduleId = null)
    {
        if (string.IsNullOrWhiteSpace(request.Dataset)) throw new RunSetupException("field 'dataset' is required (e.g. s3://bucket/datasets/aptos)");
        if (string.IsNullOrWhiteSpace(request.Model)) throw new RunSetupException("field 'model' is required (a manifest path or a model name in MODELS_DIR)");
        var methods = request.Methods is { Count: > 0 } m ? m.Select(x => x.Trim()).Where(x => x.Length > 0).ToList() : ["crm"];
        int batchSize = RunCoordinator.CheckBatchSize(request.BatchSize ?? settings.BatchSize, "field 'batchSize'");
        // predicted, label, or a class/finding name (checked against the model's classes when the run starts).
        TargetChoice target;
        try { target = TargetChoice.Parse(request.Target); }
        catch (ArgumentException e) { throw new RunSetupException($"field 'target': {e.Message}", e); }
        var dataset = request.Dataset.Trim();
        limits.Datasets.Check(dataset);
        var results = request.Results is { Length: > 0 } r ? r.Trim() : settings.ResultsUri;
        limits.Results.Check(results);
        return new RunRequest(dataset, ResolveModel(request.Model.Trim()), methods, results, target.Mode, batchSize, request.Options, scheduleId, target.Finding);
    }

    /// <summary>
    /// An s3:// URI as it is (the coordinator reads it when the run starts); "name" (no folder part) as
    /// MODELS_DIR/name.json when that exists, else as MODELS_URI/name/manifest.json; anything else as a
    /// manifest path. Each only inside the allowed model locations, checked before anything is looked at.
    /// </summary>
    private string ResolveModel(string model)
    {
        if (ModelUri.IsRemote(model))
        {
            limits.Models.Check(model);
            return model;
        }
        if (model.IndexOfAny(['/', '\\']) < 0 && (settings.ModelsDir is not null || settings.ModelsUri is not null))
        {
            var name = model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? model[..^".json".Length] : model;
            if (settings.ModelsDir is { } dir)
            {
                var named = Path.GetFullPath(Path.Combine(dir, name + ".json"));
                limits.Models.Check(named);
                if (File.Exists(named)) return named;
                if (settings.ModelsUri is null) throw new RunSetupException($"field 'model': no manifest '{model}' in {dir}");
            }
            if (name is "." or ".." || name.Length == 0) throw new RunSetupException($"field 'model': '{model}' is not a model name");
            var uri = $"{settings.ModelsUri!.TrimEnd('/')}/{name}/{ModelUri.DefaultManifest}";
            limits.Models.Check(uri);
            return uri;
        }
        var path = Path.GetFullPath(model);
        limits.Models.Check(path);
        return File.Exists(path) ? path
            : throw new RunSetupException($"field 'model': no manifest '{model}'" + (settings.ModelsDir is null ? " (set MODELS_DIR or MODELS_URI to give models by name)" : ""));
    }
}
