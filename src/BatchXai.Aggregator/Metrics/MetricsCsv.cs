using BatchXai.Storage.Csv;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Metrics;

/// <summary>
/// metrics.csv: the run's model metrics and its per-class faithfulness summaries in one long table
/// (scope model | faithfulness); image_metrics.csv: every image's metrics with their curves, per explained class
/// (<c>target_class</c>, <c>target_name</c>: on a multi-label run the finding, one row set per (image, method, finding)).
/// </summary>
public static class MetricsCsv
{
    private static string Name(IReadOnlyList<string> classNames, int index) =>
        index >= 0 && index < classNames.Count ? classNames[index] : index < 0 ? "all" : "";

    public static byte[] Summary(IEnumerable<ModelMetricRow> model, IEnumerable<ClassMetricRow> classes, IReadOnlyList<string> classNames)
    {
        string Name(int index) => MetricsCsv.Name(classNames, index);
        var csv = new CsvText("scope", "method", "metric", "class_index", "class_name", "predicted_index", "predicted_name", "images", "value", "std");
        foreach (var m in model)
            csv.Row("model", "", m.Metric, m.ClassIndex, Name(m.ClassIndex), m.PredictedIndex < 0 ? null : m.PredictedIndex,
                m.PredictedIndex < 0 ? null : Name(m.PredictedIndex), m.Images, m.Value, null);
        foreach (var c in classes)
            csv.Row("faithfulness", c.Method, c.Metric, c.ClassIndex, Name(c.ClassIndex), null, null, c.ImageCount, c.Mean, c.Std);
        return csv.ToUtf8();
    }

    public static byte[] Images(IEnumerable<ImageMetricRow> rows, IReadOnlyList<string> classNames)
    {
        var csv = new CsvText("image_key", "method", "metric", "target_class", "target_name", "value", "curve");
        foreach (var r in rows)
            csv.Row(r.ImageKey, r.Method, r.Metric, r.TargetClass, Name(classNames, r.TargetClass), r.Value, r.CurveJson is null ? null : r.CurveJson.Trim('[', ']').Replace(',', ';'));
        return csv.ToUtf8();
    }
}
