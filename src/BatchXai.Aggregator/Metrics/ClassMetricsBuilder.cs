using BatchXai.Core.Metrics;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Metrics;

/// <summary>
/// Summarises the stored per-image faithfulness metrics per method, explained class and metric (and
/// over all images, class −1): image count, mean and standard deviation of the defined values, as
/// class_metrics rows. Idempotent: the run's rows are replaced.
/// </summary>
public sealed class ClassMetricsBuilder(ResultStore results)
{
    public async Task<List<ClassMetricRow>> BuildAsync(RunRow run, CancellationToken ct)
    {
        var perImage = await results.ImageMetricsAsync(run.Id, ct);
        var rows = new List<ClassMetricRow>();
        foreach (var group in perImage.Where(m => m.Value is not null)
                     .SelectMany(m => new[] { (Class: m.TargetClass, Row: m), (Class: ModelMetricRow.WholeRun, Row: m) })
                     .GroupBy(p => (p.Row.Method, p.Class, p.Row.Metric)))
        {
            var summary = SampleSummary.Of(group.Select(p => p.Row.Value!.Value).ToList());
            rows.Add(new ClassMetricRow
            {
                Method = group.Key.Method, ClassIndex = group.Key.Class, Metric = group.Key.Metric,
                ImageCount = summary.Count, Mean = summary.Mean, Std = summary.Std,
            });
        }
        // The randomisation check over every sampled image, per method and cascade step (class −1).
        foreach (var step in (await results.ImageSanityAsync(run.Id, ct)).GroupBy(r => (r.Method, r.LayersRandomized)))
        {
            foreach (var (name, values) in new[]
            {
                (ImageMetric.RandomizationSpearman, step.Where(r => r.Spearman is not null).Select(r => r.Spearman!.Value).ToList()),
                (ImageMetric.RandomizationSsim, step.Where(r => r.Ssim is not null).Select(r => r.Ssim!.Value).ToList()),
            })
            {
                var summary = SampleSummary.Of(values);
                rows.Add(new ClassMetricRow
                {
                    Method = step.Key.Method, ClassIndex = ModelMetricRow.WholeRun, Metric = ImageMetric.AtStep(name, step.Key.LayersRandomized),
                    ImageCount = summary.Count, Mean = summary.Mean, Std = summary.Std,
                });
            }
        }
        rows = [.. rows.OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.ClassIndex).ThenBy(r => r.Metric, StringComparer.Ordinal)];
        await results.ReplaceClassMetricsAsync(run.Id, rows, ct);
        return rows;
    }
}
