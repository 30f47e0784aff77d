using System.Text.Json;
using BatchXai.Core;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// The worker's faithfulness step (issue 12): for each (image, class) pair of a batch and each method's map, the
/// metrics the run asked for, as image_metrics rows — one pair per image on a single-label head, one per finding
/// explained on a multi-label head (whose curves follow the finding's own sigmoid). Masks are read once per batch,
/// and only when the mask metrics are asked for; a run without metrics never gets here.
/// </summary>
public sealed class MetricEvaluation(FaithfulnessOptions options, InputGeometry geometry, IScoreEngine engine, int classes, int parallelism,
    bool multiLabel = false)
{
    private bool[]?[] _masks = [];

    public async Task LoadMasksAsync(IObjectStore dataset, PreparedBatch batch, CancellationToken ct)
    {
        if (!options.Has(FaithfulnessMetric.Pointing)) return;
        _masks = new bool[]?[batch.Count];
        for (int i = 0; i < batch.Count; i++) _masks[i] = await MaskLoader.LoadAsync(dataset, batch.Images[i], batch.PreparedImages[i], ct);
    }

    /// <summary>The pairs' metrics for one method; pairs run in parallel (ROAD's imputation is CPU work), each pair's copies in one engine call.</summary>
    /// <param name="maps">One map per pair: map j explains class <paramref name="targets"/>[j] of image <paramref name="imageOf"/>[j].</param>
    /// <param name="usable">Which maps to measure (null: all); a map with non-finite values is not (<see cref="UnstorableMaps"/>).</param>
    public List<ImageMetricRow> Evaluate(string method, PreparedBatch batch, IReadOnlyList<ExplanationMap> maps, IReadOnlyList<int> imageOf,
        IReadOnlyList<int> targets, IReadOnlyList<bool>? usable = null)
    {
        var perPair = new List<ImageMetric>[maps.Count];
        var evaluator = new FaithfulnessEvaluator(options, geometry, multiLabel);
        bool signed = Core.Methods.MethodRegistry.IsSigned(method);
        int size = geometry.SampleSize;
        Parallel.For(0, maps.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, j =>
        {
            perPair[j] = [];
            if (usable is not null && !usable[j]) return;
            int i = imageOf[j];
            var map = MapOutputWriter.AtSize(maps[j], geometry.Height, geometry.Width);
            perPair[j] = evaluator.Evaluate(batch.Tensor.AsSpan(i * size, size), map, targets[j], classes, engine, i < _masks.Length ? _masks[i] : null, signed);
        });
        var rows = new List<ImageMetricRow>();
        for (int j = 0; j < maps.Count; j++)
            rows.AddRange(perPair[j].Select(m => new ImageMetricRow
            {
                ImageKey = batch.Images[imageOf[j]].Key,
                Method = method,
                Metric = m.Name,
                TargetClass = targets[j],
                Value = double.IsNaN(m.Value) ? null : m.Value,
                CurveJson = m.Curve is null ? null : JsonSerializer.Serialize(m.Curve),
            }));
        return rows;
    }
}
