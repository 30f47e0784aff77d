using System.Collections.Concurrent;
using BatchXai.Coordinator;
using BatchXai.Onnx.Model;
using BatchXai.Worker;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// A coordinator's preflight (its workers run elsewhere): loads the model on the CPU, prepares and
/// dry-runs what the methods need, and lets it go again. A check that passed is remembered until
/// the manifest or the ONNX file changes, so repeated runs of one model are not slowed down.
/// </summary>
public sealed class StandaloneModelPreflight(WorkerOptions options) : IModelPreflight
{
    private readonly ConcurrentDictionary<string, bool> _passed = new(StringComparer.Ordinal);

    public void Check(string manifestPath, IReadOnlyList<string> methods, IReadOnlyDictionary<string, string>? methodOptions)
    {
        var key = Key(manifestPath, methods, methodOptions);
        if (_passed.ContainsKey(key)) return;
        using (var model = new LoadedModel(ExplainableModel.Load(manifestPath, options.Session, maxBatch: 1), options))
            model.Prepare(model.Methods(methods, methodOptions));
        _passed[key] = true;
    }

    private static string Key(string manifestPath, IReadOnlyList<string> methods, IReadOnlyDictionary<string, string>? methodOptions)
    {
        var manifest = Path.GetFullPath(manifestPath);
        var onnx = Directory.GetFiles(Path.GetDirectoryName(manifest) ?? ".", "*.onnx").Select(f => $"{f}@{File.GetLastWriteTimeUtc(f).Ticks}");
        return string.Join("|", [manifest, File.GetLastWriteTimeUtc(manifest).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. onnx, string.Join(",", methods), .. (methodOptions ?? new Dictionary<string, string>()).OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}")]);
    }
}
