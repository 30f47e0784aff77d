using System.Text.Json;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Metrics;

/// <summary>
/// The model metrics of a run (issue 12): from the stored label, prediction and probabilities of
/// every labelled image (one row per image, whatever the number of methods), as model_metrics
/// rows. A multi-label run gets per-finding figures instead (<see cref="FindingMetrics"/>). A run without labelled
/// images gets none. Idempotent: the run's rows are replaced.
/// </summary>
public sealed class ModelMetricsBuilder(ResultStore results)
{
    public async Task<ModelMetrics?> BuildAsync(RunRow run, CancellationToken ct)
    {
        var info = RunInfo.Of(run);
        int classes = info.ClassNames.Length;
        var all = await results.AllResultsAsync(run.Id, ct);
        if (all.Any(r => r.PredictedFindingsJson is not null))
        {
            await BuildMultiLabelAsync(run, info, all, ct);
            return null;
        }
        var images = all
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

    /// <summary>
    /// A multi-label run: every image labelled with findings (an empty list counts: labelled with none) once, its
    /// labelled findings against its sigmoid probabilities at the run's <c>--finding-threshold</c>.
    /// </summary>
    private async Task BuildMultiLabelAsync(RunRow run, RunInfo info, IReadOnlyList<ImageResultRow> all, CancellationToken ct)
    {
        var images = all.Where(r => r.LabelFindingsJson is not null)
            .GroupBy(r => r.ImageKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        if (images.Count == 0 || info.ClassNames.Length == 0)
        {
            await results.ReplaceModelMetricsAsync(run.Id, [], ct);
            return;
        }
        double threshold = new Core.Methods.MethodOptions(info.Options.MethodOptions).Get(Contracts.FindingThresholdOption.Spec);
        var metrics = FindingMetrics.Compute(
            images.Select(r => (IReadOnlyCollection<int>)(JsonSerializer.Deserialize<int[]>(r.LabelFindingsJson!) ?? [])).ToList(),
            images.Select(r => (IReadOnlyList<float>)(JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson) ?? [])).ToList(),
            info.ClassNames.Length, threshold);
        await results.ReplaceModelMetricsAsync(run.Id, Rows(metrics), ct);
    }

    /// <summary>threshold, macro_auc, macro_sensitivity, macro_specificity (class −1); per finding support (labelled
    /// positives), prevalence, auc, sensitivity, specificity.</summary>
    public static List<ModelMetricRow> Rows(FindingMetrics m)
    {
        var rows = new List<ModelMetricRow>
        {
            Row("threshold", ModelMetricRow.WholeRun, m.Threshold, m.Images),
            Row("macro_auc", ModelMetricRow.WholeRun, m.MacroAuc, m.Images),
            Row("macro_sensitivity", ModelMetricRow.WholeRun, m.MacroSensitivity, m.Images),
            Row("macro_specificity", ModelMetricRow.WholeRun, m.MacroSpecificity, m.Images),
        };
        foreach (var f in m.PerFinding)
        {
            rows.Add(Row("support", f.Finding, f.Positives, m.Images));
            rows.Add(Row("prevalence", f.Finding, f.Prevalence, m.Images));
            rows.Add(Row("auc", f.Finding, f.Auc, m.Images));
            rows.Add(Row("sensitivity", f.Finding, f.Sensitivity, m.Images));
            rows.Add(Row("specificity", f.Finding, f.Specificity, m.Images));
        }
        return rows;
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
