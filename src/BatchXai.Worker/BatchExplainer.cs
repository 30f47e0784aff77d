using System.Numerics.Tensors;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.Logging;

namespace BatchXai.Worker;

/// <summary>What a batch came to, for the progress event; <see cref="Skipped"/> when its run no longer needed it.</summary>
public sealed record BatchOutcome(int Explained, int Failed, bool Skipped = false)
{
    public static readonly BatchOutcome NotNeeded = new(0, 0, Skipped: true);
}

/// <summary>
/// Explains one <see cref="ExplainBatch"/>: load the images, run the model once over the batch,
/// run every requested method on that forward pass, write maps, overlays and rows. Stateless
/// apart from the model cache, so any number of workers can share a queue.
/// </summary>
public sealed class BatchExplainer(ModelCache models, ResultStore results, WorkerOptions options, ILogger<BatchExplainer> log, IObjectStoreFactory stores)
{
    public async Task<BatchOutcome> ExplainAsync(ExplainBatch batch, CancellationToken ct)
    {
        // Only a running run needs its batches. A copy that arrives later (an original back from the
        // delay queue after the sweep's republished copy completed the run, a duplicate of a failed
        // run) is acknowledged without work: it would rewrite maps the aggregator reads, and during
        // an outage it would fail and use up redeliveries for a run that needs nothing from it.
        // Reading the status is one query; with the database down it throws and the batch is retried.
        var run = await results.FindRunAsync(batch.RunId, ct);
        if (run is not { Status: RunStatus.Running })
        {
            log.LogInformation("run {Run} batch {Batch}: skipped, the run is {Status}", batch.RunId, batch.BatchIndex, run?.Status ?? "not recorded");
            return BatchOutcome.NotNeeded;
        }
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
        var unstorable = new UnstorableMaps(prepared.Count);
        if (prepared.Count > 0)
        {
            ForwardResult forward;
            using (WorkerMetrics.Stage(WorkerMetrics.Stages.Model)) forward = model.Network.Forward(prepared.Tensor, prepared.Count);
            int classes = model.Head.Classes;
            var probabilityValues = new float[prepared.Count * classes];
            var predicted = new int[prepared.Count];
            var probabilityJson = new string[prepared.Count];
            // Multi-label heads (a sigmoid output, or outputs.multiLabel) score each finding on its own.
            bool multiLabel = model.Head.MultiLabel;
            for (int i = 0; i < prepared.Count; i++)
            {
                var logits = forward.Logits.AsSpan(i * classes, classes);
                var probabilities = probabilityValues.AsSpan(i * classes, classes);
                predicted[i] = TensorPrimitives.IndexOfMax(logits);
                if (multiLabel) TensorPrimitives.Sigmoid(logits, probabilities);
                else Softmax.Into(logits, probabilities); // max-subtracted: logits above ~88 would overflow to NaN
                probabilityJson[i] = MapOutputWriter.ProbabilitiesJson(probabilities);
            }
            // One (image, class) pair per image, or per finding on a multi-label head (ExplanationTargets).
            double threshold = new MethodOptions(settings.MethodOptions).Get(FindingThresholdOption.Spec);
            var pairs = ExplanationTargets.For(settings, prepared.Images, probabilityValues, predicted, classes, multiLabel, threshold);
            var targets = pairs.Classes;
            bool onePerImage = pairs.OnePerImage(prepared.Count);

            var whole = new ExplanationRequest(forward.Features, forward.Logits, onePerImage ? targets : predicted, model.Head, forward.ClassScoreMaps)
            {
                Inputs = prepared.Tensor,
                Geometry = model.Geometry,
                Gradients = model.Network.Gradients,
                ClassResponses = model.Network.ClassResponses,
                Scores = model.Network,
            };
            var request = onePerImage ? whole : whole.ForSamples(pairs.Images, targets);
            var writer = new MapOutputWriter(output, batch.RunId, model.Network.Manifest.Classes);
            // Images' outputs are written concurrently: against a remote store (S3) each write is a
            // network round trip, and one after another their latencies would add up per batch.
            var writes = new ParallelOptions { MaxDegreeOfParallelism = options.OutputParallelism, CancellationToken = ct };
            MetricEvaluation? evaluation = null;
            var mapsByMethod = new Dictionary<string, ExplanationMap[]>();
            if (faithfulness.AnyPerImage)
            {
                evaluation = new MetricEvaluation(faithfulness, model.Geometry, model.Network, classes, options.DecodeParallelism, multiLabel);
                await evaluation.LoadMasksAsync(dataset, prepared, ct);
            }
            // Each method's outputs are written while the next method computes; all are awaited before the rows are saved.
            var pendingWrites = new List<Task<ImageResultRow?[]>>();
            foreach (var method in methods)
            {
                ExplanationMap[] maps;
                using (WorkerMetrics.Stage(WorkerMetrics.Stages.Methods, method.Name)) maps = method.Explain(request);
                mapsByMethod[method.Name] = maps;
                var usable = unstorable.Check(method.Name, maps, pairs.Images);
                if (evaluation is not null) metricRows.AddRange(evaluation.Evaluate(method.Name, prepared, maps, pairs.Images, targets, usable));
                pendingWrites.Add(WriteMethodAsync(method.Name, maps, usable));
            }
            foreach (var methodRows in await Task.WhenAll(pendingWrites))
                rows.AddRange(methodRows.OfType<ImageResultRow>());

            async Task<ImageResultRow?[]> WriteMethodAsync(string methodName, ExplanationMap[] maps, bool[] usable)
            {
                await Task.Yield(); // the caller goes on to the next method's compute
                var methodRows = new ImageResultRow?[targets.Length];
                using var writing = WorkerMetrics.Stage(WorkerMetrics.Stages.Writes, methodName);
                await Parallel.ForEachAsync(Enumerable.Range(0, targets.Length).Where(j => usable[j]), writes, async (j, token) =>
                {
                    int i = pairs.Images[j];
                    var finding = multiLabel ? ResultKeys.FindingFolder(targets[j], model.Network.Manifest.Classes[targets[j]]) : null;
                    var row = await writer.WriteAsync(methodName, prepared.Images[i].Key, maps[j], prepared.PreparedImages[i].Image, token, prepared.OverlayImages[i], finding);
                    row.Label = prepared.Images[i].Label;
                    row.Predicted = predicted[i];
                    row.TargetClass = targets[j];
                    row.ProbabilitiesJson = probabilityJson[i];
                    if (multiLabel)
                    {
                        row.LabelFindingsJson = prepared.Images[i].Findings is { } labelled ? ExplanationTargets.Json(labelled) : null;
                        row.PredictedFindingsJson = ExplanationTargets.Json(ExplanationTargets.Present(probabilityValues.AsSpan(i * classes, classes), threshold));
                    }
                    row.ContentSha256 = prepared.ContentHashes[i];
                    methodRows[j] = row;
                });
                return methodRows;
            }
            if (faithfulness.Has(FaithfulnessMetric.Randomization) && batch.BatchIndex < faithfulness.SanityBatches)
                sanityRows.AddRange(CheckRandomization(model.Network.Manifest.ManifestPath, faithfulness, methods, prepared, pairs, mapsByMethod, model));
        }

        unstorable.RecordFailures(prepared);
        var keys = batch.Images.Select(i => i.Key).ToList();
        var fieldsOfView = prepared.Images.Zip(prepared.FieldsOfView)
            .Where(p => p.Second is not null).Select(p => FieldOfViewRow(p.First.Key, p.Second!)).ToList();
        using (WorkerMetrics.Stage(WorkerMetrics.Stages.Database))
            await results.SaveBatchAsync(batch.RunId, keys, rows, prepared.Failures, fieldsOfView, metricRows, sanityRows, ct);
        if (prepared.Failures.Count > 0)
            log.LogWarning("run {Run} batch {Batch}: {Failed} image(s) failed, first: {Key}: {Error}",
                batch.RunId, batch.BatchIndex, prepared.Failures.Count, prepared.Failures[0].ImageKey, prepared.Failures[0].Error);
        int explained = unstorable.StoredImages;
        return new BatchOutcome(explained, batch.Images.Count - explained);
    }

    /// <summary>The randomisation sanity check on the batch's sample (the first (image, class) pairs of each target class).</summary>
    private List<ImageSanityRow> CheckRandomization(string manifest, FaithfulnessOptions faithfulness, IReadOnlyList<IExplanationMethod> methods,
        PreparedBatch prepared, ExplanationTargets pairs, Dictionary<string, ExplanationMap[]> maps, LoadedModel model)
    {
        var sample = Worker.Sanity.RandomizationCheck.Sample(pairs.Classes, faithfulness.SanityPerClass);
        int size = model.Network.SampleSize;
        var inputs = new float[sample.Count * size];
        for (int j = 0; j < sample.Count; j++) prepared.Tensor.AsSpan(pairs.Images[sample[j]] * size, size).CopyTo(inputs.AsSpan(j * size));
        var originals = maps.ToDictionary(m => m.Key, m => sample.Select(j => m.Value[j]).ToArray());
        return new Worker.Sanity.RandomizationCheck(manifest, options, faithfulness).Run(methods, inputs, size,
            [.. sample.Select(j => prepared.Images[pairs.Images[j]].Key)], [.. sample.Select(j => pairs.Classes[j])], originals, model.Geometry);
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
