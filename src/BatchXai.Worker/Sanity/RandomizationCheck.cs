using System.Text.Json.Nodes;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Core.Metrics;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Database;

namespace BatchXai.Worker.Sanity;

/// <summary>
/// The model-randomisation sanity check (Adebayo et al. 2018) for a sample of a batch's images: for
/// each cascade step (the top k weight layers re-drawn, k from the logits layer down to every layer),
/// load the randomised copy, rerun every method on the sample for the same target classes and compare
/// each map with the original (Spearman of |map|, SSIM), as image_sanity rows.
/// </summary>
public sealed class RandomizationCheck(string manifestPath, WorkerOptions options, FaithfulnessOptions settings)
{
    /// <summary>Fixed seed: a redelivered batch or a rerun draws the same weights.</summary>
    public const int Seed = 20181016;

    /// <summary>Cascade points: 1 (the logits layer alone) and ⌈j·L/S⌉ for j = 1..S — always ending with every layer.</summary>
    public static List<int> Steps(int layers, int steps) =>
        [.. Enumerable.Range(1, steps).Select(j => (int)Math.Ceiling((double)j * layers / steps)).Prepend(1).Where(k => k >= 1 && k <= layers).Distinct().Order()];

    /// <summary>Which images of a batch enter the sample: the first <c>sanity-per-class</c> of each target class.</summary>
    public static List<int> Sample(IReadOnlyList<int> targets, int perClass) =>
        [.. Enumerable.Range(0, targets.Count).GroupBy(i => targets[i]).SelectMany(g => g.Take(perClass)).Order()];

    public List<ImageSanityRow> Run(IReadOnlyList<IExplanationMethod> methods, float[] inputs, int sampleSize, IReadOnlyList<string> keys,
        IReadOnlyList<int> targets, IReadOnlyDictionary<string, ExplanationMap[]> originals, Core.InputGeometry geometry)
    {
        var source = OnnxGraph.Load(OnnxPathOf(manifestPath)).Model;
        var layers = ModelRandomization.Layers(source);
        layers.Reverse(); // top first
        var rows = new List<ImageSanityRow>();
        var folder = Directory.CreateTempSubdirectory("batchxai-randomized-");
        try
        {
            foreach (int k in Steps(layers.Count, settings.SanitySteps))
            {
                var manifest = WriteRandomized(folder.FullName, source, layers.Take(k));
                using var network = ExplainableModel.Load(manifest, options.Session, options.MaxInferenceBatch, PreparedModelCache.Disabled);
                var forward = network.Forward(inputs, keys.Count);
                var request = new ExplanationRequest(forward.Features, forward.Logits, [.. targets], network.Head, forward.ClassScoreMaps)
                {
                    Inputs = inputs, Geometry = geometry, Gradients = network.Gradients, ClassResponses = network.ClassResponses, Scores = network,
                };
                foreach (var method in methods)
                {
                    var maps = method.Explain(request);
                    for (int i = 0; i < keys.Count; i++)
                    {
                        var original = MapOutputWriter.AtSize(originals[method.Name][i], geometry.Height, geometry.Width);
                        var similarity = MapSimilarity.Of(original, MapOutputWriter.AtSize(maps[i], geometry.Height, geometry.Width));
                        rows.Add(new ImageSanityRow
                        {
                            ImageKey = keys[i], Method = method.Name, TargetClass = targets[i], LayersRandomized = k, TopLayer = layers[k - 1].Node, TotalLayers = layers.Count,
                            Spearman = double.IsNaN(similarity.Spearman) ? null : similarity.Spearman,
                            Ssim = double.IsNaN(similarity.Ssim) ? null : similarity.Ssim,
                        });
                    }
                }
            }
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
        return rows;
    }

    private static string OnnxPathOf(string manifestPath)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifestPath)) ?? throw new InvalidOperationException($"{manifestPath} is empty");
        var onnx = (string?)json["onnx"] ?? throw new InvalidOperationException($"{manifestPath} names no onnx file");
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, onnx);
    }

    /// <summary>The randomised model beside a copy of the manifest whose onnx field names it; returns the manifest path.</summary>
    private string WriteRandomized(string folder, Onnx.Proto.ModelProto source, IEnumerable<WeightLayer> layers)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        File.WriteAllBytes(Path.Combine(folder, "randomized.onnx"), ModelRandomization.Randomize(source, layers, Seed));
        json["onnx"] = "randomized.onnx";
        var manifest = Path.Combine(folder, "randomized.json");
        File.WriteAllText(manifest, json.ToJsonString());
        return manifest;
    }
}
