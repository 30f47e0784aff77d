using System.Text.Json;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Metrics;

/// <summary>
/// The model metrics of a run (issue 12): from the stored label, prediction and probabilities of
/// every labelled image (one row per image, whatever the number of methods), as model_metrics
/// rows. A run without labelled images gets none. Idempotent: the run's rows are replaced.
/// </summary>
public sealed class ModelMetricsBuilder(ResultStore results)
{
    public async Task<ModelMetrics?> BuildAsync(RunRow run, CancellationToken ct)
    {
        int classes = RunInfo.Of(run).ClassNames.Length;
        var images = (await results.AllResultsAsync(run.Id, ct))
            .Where(r => r.Label is int label && label >= 0 && label < classes)
            .GroupBy(r => r.ImageKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        if (images.Count == 0 || classes == 0)
        {
            await results.ReplaceModelMetricsAsync(run.Id, [], ct);
            return null;
        }
        var metrics = ModelMetrics.Compute(images.Select(r => r.Label!.Value).ToList(), images.Select(r => r.Predicted).ToList(),
            images.Select(r => (IReadOnlyList<float>)(JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson) ?? [])).ToList(), classes);
        await results.ReplaceModelMetricsAsync(run.Id, Rows(metrics), ct);
        return metrics;
    }

    public static List<ModelMetricRow> Rows(ModelMetrics m)
    {
        var rows = new List<ModelMetricRow>
        {
            Row("accuracy", ModelMetricRow.WholeRun, m.Accuracy, m.Images),
            Row("qwk", ModelMetricRow.WholeRun, m.QuadraticWeightedKappa, m.Images),
            Row("macro_f1", ModelMetricRow.WholeRun, m.MacroF1, m.Images),
            Row("macro_auc", ModelMetricRow.WholeRun, m.MacroAuc, m.Images),
        };
        foreach (var c in m.PerClass)
        {
            rows.Add(Row("support", c.Class, c.Support, m.Images));
            rows.Add(Row("precision", c.Class, c.Precision, m.Images));
            rows.Add(Row("recall", c.Class, c.Recall, m.Images));
            rows.Add(Row("f1", c.Class, c.F1, m.Images));
            rows.Add(Row("auc", c.Class, c.Auc, m.Images));
        }
        for (int i = 0; i < m.Confusion.Classes; i++)
            for (int j = 0; j < m.Confusion.Classes; j++)
                rows.Add(new ModelMetricRow { Metric = "confusion", ClassIndex = i, PredictedIndex = j, Value = m.Confusion[i, j], Images = m.Images });
        return rows;
    }

    private static ModelMetricRow Row(string metric, int classIndex, double value, int images) =>
        new() { Metric = metric, ClassIndex = classIndex, PredictedIndex = ModelMetricRow.WholeRun, Value = double.IsNaN(value) ? null : value, Images = images };
}
