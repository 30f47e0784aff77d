using System.Globalization;
using System.Text.Json;
using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;

namespace BatchXai.Cli;

/// <summary>
/// The metrics part of the run summary: how well the model does on the labelled images (accuracy,
/// quadratic-weighted kappa, per-class precision/recall/F1/AUC, confusion matrix), then, per class,
/// the methods ranked by deletion AUC (lower first), insertion AUC and pointing game (higher first).
/// </summary>
public static class MetricsSummary
{
    public static void Print(TextWriter output, RunRow run, IReadOnlyList<ModelMetricRow> model, IReadOnlyList<ClassMetricRow> classes)
    {
        var names = RunInfo.Of(run).ClassNames;
        string Name(int c) => c < 0 ? "all" : c < names.Length ? $"{c} {names[c]}" : c.ToString(CultureInfo.InvariantCulture);
        string F(double? v) => v is double d ? d.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
        double? Whole(string metric) => model.FirstOrDefault(m => m.Metric == metric && m.ClassIndex == ModelMetricRow.WholeRun)?.Value;
        if (model.Count > 0 && Whole("threshold") is double threshold)
        {
            // A multi-label run: per finding, no confusion matrix.
            output.WriteLine($"model on {model[0].Images} labelled images, findings present at probability >= {F(threshold)}: macro AUC {F(Whole("macro_auc"))}, " +
                $"macro sensitivity {F(Whole("macro_sensitivity"))}, macro specificity {F(Whole("macro_specificity"))}");
            output.WriteLine($"{"finding",-16} {"positive",8} {"prevalence",10} {"AUC",6} {"sensitivity",11} {"specificity",11}");
            foreach (var c in model.Where(m => m.Metric == "support").Select(m => m.ClassIndex).Order())
            {
                double? Of(string metric) => model.FirstOrDefault(m => m.Metric == metric && m.ClassIndex == c)?.Value;
                output.WriteLine($"{Name(c),-16} {Of("support"),8:0} {F(Of("prevalence")),10} {F(Of("auc")),6} {F(Of("sensitivity")),11} {F(Of("specificity")),11}");
            }
        }
        else if (model.Count > 0)
        {
            output.WriteLine($"model on {model[0].Images} labelled images: accuracy {F(Whole("accuracy"))}, quadratic-weighted kappa {F(Whole("qwk"))}, " +
                $"macro F1 {F(Whole("macro_f1"))}, macro AUC {F(Whole("macro_auc"))}");
            output.WriteLine($"{"class",-16} {"support",7} {"precision",9} {"recall",7} {"F1",6} {"AUC",6}");
            foreach (var c in model.Where(m => m.Metric == "support").Select(m => m.ClassIndex).Order())
            {
                double? Of(string metric) => model.FirstOrDefault(m => m.Metric == metric && m.ClassIndex == c)?.Value;
                output.WriteLine($"{Name(c),-16} {Of("support"),7:0} {F(Of("precision")),9} {F(Of("recall")),7} {F(Of("f1")),6} {F(Of("auc")),6}");
            }
            var confusion = model.Where(m => m.Metric == "confusion").ToList();
            if (confusion.Count > 0)
            {
                int n = confusion.Max(m => m.ClassIndex) + 1;
                output.WriteLine("confusion matrix (rows: label, columns: predicted): " + string.Join(" | ", Enumerable.Range(0, n).Select(i =>
                    string.Join(" ", Enumerable.Range(0, n).Select(j => confusion.FirstOrDefault(m => m.ClassIndex == i && m.PredictedIndex == j)?.Value ?? 0)))));
            }
        }
        PrintRandomization(output, classes, F);
        var perClass = classes.Where(c => c.ClassIndex >= 0 && c.Mean is not null).ToList();
        foreach (var metric in MethodRanking.SummaryMetrics)
        {
            var ofMetric = perClass.Where(c => c.Metric == metric).ToList();
            if (ofMetric.Count == 0) continue;
            output.WriteLine($"methods by {metric} per explained class ({(ImageMetric.LowerIsBetter(metric) ? "lower" : "higher")} is better):");
            foreach (var group in ofMetric.GroupBy(c => c.ClassIndex).OrderBy(g => g.Key))
            {
                var ranked = MethodRanking.Rank(metric, group.Select(c => new RankedMethod(c.Method, c.Mean!.Value, c.ImageCount)));
                output.WriteLine($"  {Name(group.Key),-16} " + string.Join("  ", ranked.Select((m, i) => $"{i + 1}. {m.Method} {F(m.Mean)} (n={m.Images})")));
            }
        }
    }

    /// <summary>
    /// Per method, the mean Spearman of |map| (and SSIM) against the original at each cascade step; a
    /// method whose maps still correlate ≥ <see cref="MapSimilarity.FailAbove"/> with half the layers re-drawn is flagged.
    /// </summary>
    private static void PrintRandomization(TextWriter output, IReadOnlyList<ClassMetricRow> classes, Func<double?, string> f)
    {
        var steps = classes.Select(c => (Row: c, K: ImageMetric.StepOf(c.Metric, ImageMetric.RandomizationSpearman))).Where(p => p.K is not null).ToList();
        if (steps.Count == 0) return;
        output.WriteLine($"model randomisation (Adebayo et al. 2018), Spearman of |map| / SSIM with the original after the top k weight layers are re-drawn:");
        foreach (var method in steps.GroupBy(p => p.Row.Method).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = method.OrderBy(p => p.K).ToList();
            string Ssim(int k) => f(classes.FirstOrDefault(c => c.Method == method.Key && c.Metric == ImageMetric.AtStep(ImageMetric.RandomizationSsim, k))?.Mean);
            // The cascade always ends with every layer re-drawn, so its last step is the layer count.
            int judgedStep = MapSimilarity.JudgedStep(ordered.Select(p => p.K!.Value), ordered[^1].K!.Value);
            var judged = ordered.First(p => p.K == judgedStep);
            bool flagged = judged.Row.Mean is double m && m >= MapSimilarity.FailAbove;
            output.WriteLine($"  {method.Key,-10} " + string.Join("  ", ordered.Select(p => $"k={p.K}: {f(p.Row.Mean)}/{Ssim(p.K!.Value)}")) +
                (flagged ? $"  FLAGGED: maps barely change when the model is randomised (Spearman {f(judged.Row.Mean)} >= {MapSimilarity.FailAbove} with {judged.K} of {ordered[^1].K} layers re-drawn)"
                          : $"  passes (Spearman {f(judged.Row.Mean)} < {MapSimilarity.FailAbove} with {judged.K} of {ordered[^1].K} layers re-drawn)"));
        }
    }
}
