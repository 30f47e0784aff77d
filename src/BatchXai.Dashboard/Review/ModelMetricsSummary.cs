using BatchXai.Storage.Database;

namespace BatchXai.Dashboard.Review;

/// <summary>One class's row of the model metrics: how many labelled images it has and how the model does on it.</summary>
public sealed record ClassModelMetrics(int ClassIndex, string ClassName, int? Support, double? Precision, double? Recall, double? F1, double? Auc);

/// <summary>One finding's row on a multi-label run: labelled positives, prevalence, ROC AUC of its sigmoid probability,
/// sensitivity and specificity at the run's finding threshold.</summary>
public sealed record FindingModelMetrics(int ClassIndex, string ClassName, int? Positives, double? Prevalence, double? Auc, double? Sensitivity,
    double? Specificity);

/// <summary>A multi-label run's model metrics: the threshold a finding is called present at, macro means, a row per finding.</summary>
public sealed record FindingMetricsSummary(double Threshold, double? MacroAuc, double? MacroSensitivity, double? MacroSpecificity,
    IReadOnlyList<FindingModelMetrics> Findings);

/// <summary>
/// The model metrics of a run as one table (from its model_metrics rows): accuracy, quadratic-weighted
/// kappa, macro F1 and AUC, a row per class, and the confusion matrix (rows: true class, columns: predicted). A
/// multi-label run has <see cref="Findings"/> instead (accuracy, κ, F1 and the confusion matrix are single-label
/// notions: null and empty there; each class row keeps its support and AUC).
/// </summary>
public sealed record ModelMetricsSummary(int Images, double? Accuracy, double? Qwk, double? MacroF1, double? MacroAuc,
    IReadOnlyList<ClassModelMetrics> Classes, long[][] Confusion, FindingMetricsSummary? Findings = null)
{
    /// <summary>Null when the run stored no model metrics (no labelled image).</summary>
    public static ModelMetricsSummary? Of(string[] classNames, IReadOnlyList<ModelMetricRow> rows)
    {
        if (rows.Count == 0) return null;
        double? Whole(string metric) => rows.FirstOrDefault(r => r.Metric == metric && r.ClassIndex == ModelMetricRow.WholeRun)?.Value;
        double? Of(string metric, int c) => rows.FirstOrDefault(r => r.Metric == metric && r.ClassIndex == c && r.PredictedIndex == ModelMetricRow.WholeRun)?.Value;
        if (Whole("threshold") is double threshold)
        {
            var findings = classNames.Select((name, c) => new FindingModelMetrics(c, name, Of("support", c) is double p ? (int)p : null,
                Of("prevalence", c), Of("auc", c), Of("sensitivity", c), Of("specificity", c))).ToList();
            return new ModelMetricsSummary(rows.Max(r => r.Images), null, null, null, Whole("macro_auc"),
                [.. findings.Select(f => new ClassModelMetrics(f.ClassIndex, f.ClassName, f.Positives, null, null, null, f.Auc))], [],
                new FindingMetricsSummary(threshold, Whole("macro_auc"), Whole("macro_sensitivity"), Whole("macro_specificity"), findings));
        }
        var confusion = classNames.Select(_ => new long[classNames.Length]).ToArray();
        foreach (var r in rows.Where(r => r.Metric == "confusion"))
            if (r.ClassIndex >= 0 && r.ClassIndex < classNames.Length && r.PredictedIndex >= 0 && r.PredictedIndex < classNames.Length)
                confusion[r.ClassIndex][r.PredictedIndex] = (long)(r.Value ?? 0);
        var classes = classNames.Select((name, c) => new ClassModelMetrics(c, name, Of("support", c) is double s ? (int)s : null,
            Of("precision", c), Of("recall", c), Of("f1", c), Of("auc", c))).ToList();
        return new ModelMetricsSummary(rows.Max(r => r.Images), Whole("accuracy"), Whole("qwk"), Whole("macro_f1"), Whole("macro_auc"), classes, confusion);
    }

    /// <summary>The run-level numbers by name, for deltas between runs.</summary>
    public IEnumerable<(string Metric, double? Value)> Headline() => Findings is { } f
        ? [("macro_auc", f.MacroAuc), ("macro_sensitivity", f.MacroSensitivity), ("macro_specificity", f.MacroSpecificity)]
        : [("accuracy", Accuracy), ("qwk", Qwk), ("macro_f1", MacroF1), ("macro_auc", MacroAuc)];
}
