using System.Numerics.Tensors;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;
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
public sealed class BatchExplainer(ModelCache models, ResultStore results, WorkerOptions options, ILogger<BatchExplainer> log)
{
    public async Task<BatchOutcome> ExplainAsync(ExplainBatch batch, CancellationToken ct)
    {
        var settings = batch.Settings;
        var model = models.Get(settings.ModelManifestUri);
        using var dataset = ObjectStores.Open(settings.DatasetUri);
        using var output = ObjectStores.Open(settings.ResultsUri);

        var methods = model.Methods(settings.Methods, settings.MethodOptions);
        var prepared = await model.Loader.LoadAsync(dataset, batch.Images, InputOptions.Of(settings.MethodOptions), ct);
        var rows = new List<ImageResultRow>();
        if (prepared.Count > 0)
        {
            var forward = model.Network.Forward(prepared.Tensor, prepared.Count);
            int classes = model.Head.Classes;
            var probabilities = new float[classes];
            var predicted = new int[prepared.Count];
            var targets = new int[prepared.Count];
            var probabilityJson = new string[prepared.Count];
            for (int i = 0; i < prepared.Count; i++)
            {
                var logits = forward.Logits.AsSpan(i * classes, classes);
                predicted[i] = TensorPrimitives.IndexOfMax(logits);
                TensorPrimitives.SoftMax(logits, probabilities);
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
            foreach (var method in methods)
            {
                ExplanationMap[] maps = method.Explain(request);
                var methodRows = new ImageResultRow[prepared.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, prepared.Count), writes, async (i, token) =>
                {
                    var row = await writer.WriteAsync(method.Name, prepared.Images[i].Key, maps[i], prepared.InputSizeImages[i], token, prepared.OverlayImages[i]);
                    row.Label = prepared.Images[i].Label;
                    row.Predicted = predicted[i];
                    row.TargetClass = targets[i];
                    row.ProbabilitiesJson = probabilityJson[i];
                    row.ContentSha256 = prepared.ContentHashes[i];
                    methodRows[i] = row;
                });
                rows.AddRange(methodRows);
            }
        }

        var keys = batch.Images.Select(i => i.Key).ToList();
        var fieldsOfView = prepared.Images.Zip(prepared.FieldsOfView)
            .Where(p => p.Second is not null).Select(p => FieldOfViewRow(p.First.Key, p.Second!)).ToList();
        await results.SaveBatchAsync(batch.RunId, keys, rows, prepared.Failures, fieldsOfView, ct);
        if (prepared.Failures.Count > 0)
            log.LogWarning("run {Run} batch {Batch}: {Failed} image(s) failed, first: {Key}: {Error}",
                batch.RunId, batch.BatchIndex, prepared.Failures.Count, prepared.Failures[0].ImageKey, prepared.Failures[0].Error);
        return new BatchOutcome(prepared.Count, prepared.Failures.Count);
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
