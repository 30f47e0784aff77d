using BatchXai.Coordinator;
using BatchXai.Worker;

namespace BatchXai.Cli;

/// <summary>The embedded mode's preflight: loads the model into the worker's own cache, where the run will find it ready.</summary>
public sealed class CachedModelPreflight(ModelCache models) : IModelPreflight
{
    public void Check(string manifestPath, IReadOnlyList<string> methods, IReadOnlyDictionary<string, string>? methodOptions)
    {
        var model = models.Get(manifestPath);
        model.Prepare(model.Methods(methods, methodOptions));
    }
}
