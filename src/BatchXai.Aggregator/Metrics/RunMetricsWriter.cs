using System.Text.Json;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Metrics;

/// <summary>
/// The aggregator's metrics step: model metrics when labels exist, class summaries of the
/// per-image faithfulness metrics when the run computed any, and metrics.csv / image_metrics.csv beside the maps.
/// </summary>
public sealed class RunMetricsWriter(ResultStore results, IObjectStoreFactory? stores = null)
{
    public async Task WriteAsync(RunRow run, CancellationToken ct)
    {
        await new ModelMetricsBuilder(results).BuildAsync(run, ct);
        await new ClassMetricsBuilder(results).BuildAsync(run, ct);
        var model = await results.ModelMetricsAsync(run.Id, ct);
        var classes = await results.ClassMetricsAsync(run.Id, ct);
        if (model.Count == 0 && classes.Count == 0) return;
        var classNames = RunInfo.Of(run).ClassNames;
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        await output.WriteAsync(ResultKeys.MetricsCsv(run.Id), MetricsCsv.Summary(model, classes, classNames), ct);
        if (classes.Count > 0)
            await output.WriteAsync(ResultKeys.ImageMetricsCsv(run.Id), MetricsCsv.Images(await results.ImageMetricsAsync(run.Id, ct), classNames), ct);
    }
}
