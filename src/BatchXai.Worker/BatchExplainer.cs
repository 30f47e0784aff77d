using System.Numerics.Tensors;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.Logging;

namespace BatchXai.Worker;

/// <summary>What a batch came to, for the progress event.</summary>
public sealed record BatchOutcome(int Explained, int Failed);

/// <summary>
/// Explains one <see cref="ExplainBatch"/>: load the images, run the model once over the batch,
/// run every requested method on that forward pass, write maps, overlays and rows. Stateless
/// apart from the model cache, so any number of workers can share a queue.
/// </summary>
public sealed class BatchExplainer(ModelCache models, ResultStore results, WorkerOptions options, ILogger<BatchExplainer> log, IObjectStoreFactory stores)
{
    public async Task<BatchOutcome> ExplainAsync(ExplainBatch batch, CancellationToken ct)
    {
        var settings = batch.Settings;
        var model = await models.GetAsync(settings, ct);
        using var dataset = stores.Open(settings.DatasetUri);
        using var output = stores.Open(settings.ResultsUri);

        var methods = model.Methods(settings.Methods, settings.MethodOptions);
        model.Prepare(methods);
        var prepared = await model.Loader.LoadAsync(dataset, batch.Images, InputOptions.Of(settings.MethodOptions), ct);
        var rows = new List<ImageResultRow>();
        var metricRows = new List<ImageMetricRow>();
        var sanityRows = new List<ImageSanityRow>();
        var faithfulness = FaithfulnessOptions.From(settings.MethodOptions);
        if (prepared.Count > 0)
        {
            var forward = model.Network.Forward(prepared.Tensor, prepared.Count);
            int classes = model.Head.Classes;
            var probabilities = new float[classes];
            var predicted = new int[prepared.Count];
            var targets = new int[prepared.Count];
            var probabilityJson = new string[prepared.Count];
            var sigmoid = model.Network.Manifest.Outputs.Activation == Onnx.Manifest.OutputActivation.Sigmoid;
            for (int i = 0; i < prepared.Count; i++)
            {
                var logits = forward.Logits.AsSpan(i * classes, classes);
                predicted[i] = TensorPrimitives.IndexOfMax(logits);
                // Multi-label heads (outputs.activation sigmoid) score each finding on its own.
                if (sigmoid) TensorPrimitives.Sigmoid(logits, probabilities);
                else Softmax.Into(logits, probabilities); // max-subtracted: logits above ~88 would overflow to NaN
                probabilityJson[i] = MapOutputWriter.ProbabilitiesJson(probabilities);
                targets[i] = settings.Target == TargetMode.Label && prepared.Images[i].Label is int label ? label : predicted[i];
            }

            var request = new ExplanationRequest(forward.Features, forward.Logits, targets, model.Head, forward.ClassScoreMaps)
            {
                Inputs = prepared.Tensor,
                Geometry = model.Geometry,
                Gradients = model.Network.Gradients,
                ClassResponses = model.Network.ClassResponses,
                Scores = model.Network,
            };
            var writer = new MapOutputWriter(output, batch.RunId, model.Network.Manifest.Classes);
            // Images' outputs are written concurrently: against a remote store (S3) each write is a
            // network round trip, and one after another their latencies would add up per batch.
            var writes = new ParallelOptions { MaxDegreeOfParallelism = options.OutputParallelism, CancellationToken = ct };
            MetricEvaluation? evaluation = null;
            var mapsByMethod = new Dictionary<string, ExplanationMap[]>();
            if (faithfulness.AnyPerImage)
            {
                evaluation = new MetricEvaluation(faithfulness, model.Geometry, model.Network, classes, options.DecodeParallelism);
                await evaluation.LoadMasksAsync(dataset, prepared, ct);
            }
            // Each method's outputs are written while the next method computes; all are awaited before the rows are saved.
            var pendingWrites = new List<Task<ImageResultRow[]>>();
            foreach (var method in methods)
            {
                ExplanationMap[] maps = method.Explain(request);
                mapsByMethod[method.Name] = maps;
                if (evaluation is not null) metricRows.AddRange(evaluation.Evaluate(method.Name, prepared, maps, targets));
                pendingWrites.Add(WriteMethodAsync(method.Name, maps));
            }
            foreach (var methodRows in await Task.WhenAll(pendingWrites))
                rows.AddRange(methodRows);

            async Task<ImageResultRow[]> WriteMethodAsync(string methodName, ExplanationMap[] maps)
            {
                await Task.Yield(); // the caller goes on to the next method's compute
                var methodRows = new ImageResultRow[prepared.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, prepared.Count), writes, async (i, token) =>
                {
                    var row = await writer.WriteAsync(methodName, prepared.Images[i].Key, maps[i], prepared.PreparedImages[i].Image, token, prepared.OverlayImages[i]);
                    row.Label = prepared.Images[i].Label;
                    row.Predicted = predicted[i];
                    row.TargetClass = targets[i];
                    row.ProbabilitiesJson = probabilityJson[i];
                    row.ContentSha256 = prepared.ContentHashes[i];
                    methodRows[i] = row;
                });
                return methodRows;
            }
            if (faithfulness.Has(FaithfulnessMetric.Randomization) && batch.BatchIndex < faithfulness.SanityBatches)
                sanityRows.AddRange(CheckRandomization(model.Network.Manifest.ManifestPath, faithfulness, methods, prepared, targets, mapsByMethod, model));
        }

        var keys = batch.Images.Select(i => i.Key).ToList();
        var fieldsOfView = prepared.Images.Zip(prepared.FieldsOfView)
            .Where(p => p.Second is not null).Select(p => FieldOfViewRow(p.First.Key, p.Second!)).ToList();
        await results.SaveBatchAsync(batch.RunId, keys, rows, prepared.Failures, fieldsOfView, metricRows, sanityRows, ct);
        if (prepared.Failures.Count > 0)
            log.LogWarning("run {Run} batch {Batch}: {Failed} image(s) failed, first: {Key}: {Error}",
                batch.RunId, batch.BatchIndex, prepared.Failures.Count, prepared.Failures[0].ImageKey, prepared.Failures[0].Error);
        return new BatchOutcome(prepared.Count, prepared.Failures.Count);
    }

    /// <summary>The randomisation sanity check on the batch's sample (the first images of each target class).</summary>
    private List<ImageSanityRow> CheckRandomization(string manifest, FaithfulnessOptions faithfulness, IReadOnlyList<IExplanationMethod> methods,
        PreparedBatch prepared, int[] targets, Dictionary<string, ExplanationMap[]> maps, LoadedModel model)
    {
        var sample = Worker.Sanity.RandomizationCheck.Sample(targets, faithfulness.SanityPerClass);
        int size = model.Network.SampleSize;
        var inputs = new float[sample.Count * size];
        for (int j = 0; j < sample.Count; j++) prepared.Tensor.AsSpan(sample[j] * size, size).CopyTo(inputs.AsSpan(j * size));
        var originals = maps.ToDictionary(m => m.Key, m => sample.Select(i => m.Value[i]).ToArray());
        return new Worker.Sanity.RandomizationCheck(manifest, options, faithfulness).Run(methods, inputs, size,
            [.. sample.Select(i => prepared.Images[i].Key)], [.. sample.Select(i => targets[i])], originals, model.Geometry);
    }

    private static ImageFieldOfViewRow FieldOfViewRow(string imageKey, FieldOfView fov) => new()
    {
        ImageKey = imageKey,
        Kind = FieldOfView.NameOf(fov.Kind),
        Height = fov.Height,
        Width = fov.Width,
        CenterX = fov.CenterX,
        CenterY = fov.CenterY,
        Radius = fov.Radius,
        InsideFraction = fov.InsideFraction,
        Mask = fov.PackedMask,
    };
}
