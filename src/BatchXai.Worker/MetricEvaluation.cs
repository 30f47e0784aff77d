using System.Text.Json;
using BatchXai.Core;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// The worker's faithfulness step (issue 12): for each image of a batch and each method's map, the
/// metrics the run asked for, as image_metrics rows. Masks are read once per batch, and only when
/// the mask metrics are asked for; a run without metrics never gets here.
/// </summary>
public sealed class MetricEvaluation(FaithfulnessOptions options, InputGeometry geometry, IScoreEngine engine, int classes, int parallelism)
{
    private bool[]?[] _masks = [];

    public async Task LoadMasksAsync(IObjectStore dataset, PreparedBatch batch, CancellationToken ct)
    {
        if (!options.Has(FaithfulnessMetric.Pointing)) return;
        _masks = new bool[]?[batch.Count];
        for (int i = 0; i < batch.Count; i++) _masks[i] = await MaskLoader.LoadAsync(dataset, batch.Images[i], batch.PreparedImages[i], ct);
    }

    /// <summary>Images' metrics for one method; images run in parallel (ROAD's imputation is CPU work), each image's copies in one engine call.</summary>
    /// <param name="usable">Which maps to measure (null: all); a map with non-finite values is not (<see cref="UnstorableMaps"/>).</param>
    public List<ImageMetricRow> Evaluate(string method, PreparedBatch batch, IReadOnlyList<ExplanationMap> maps, IReadOnlyList<int> targets,
        IReadOnlyList<bool>? usable = null)
    {
        var perImage = new List<ImageMetric>[batch.Count];
        var evaluator = new FaithfulnessEvaluator(options, geometry);
        bool signed = Core.Methods.MethodRegistry.IsSigned(method);
        int size = geometry.SampleSize;
        Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
        {
            perImage[i] = [];
            if (usable is not null && !usable[i]) return;
            var map = MapOutputWriter.AtSize(maps[i], geometry.Height, geometry.Width);
            perImage[i] = evaluator.Evaluate(batch.Tensor.AsSpan(i * size, size), map, targets[i], classes, engine, i < _masks.Length ? _masks[i] : null, signed);
        });
        var rows = new List<ImageMetricRow>();
        for (int i = 0; i < batch.Count; i++)
            rows.AddRange(perImage[i].Select(m => new ImageMetricRow
            {
                ImageKey = batch.Images[i].Key,
                Method = method,
                Metric = m.Name,
                TargetClass = targets[i],
                Value = double.IsNaN(m.Value) ? null : m.Value,
                CurveJson = m.Curve is null ? null : JsonSerializer.Serialize(m.Curve),
            }));
        return rows;
    }
}
