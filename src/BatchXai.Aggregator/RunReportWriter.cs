using System.Text.Json;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>Writes a run's tables as CSV beside its maps: results.csv, failures.csv and classes.csv.</summary>
public sealed class RunReportWriter(ResultStore results)
{
    public async Task WriteAsync(RunRow run, CancellationToken ct)
    {
        using var output = ObjectStores.Open(run.ResultsUri);

        var perImage = new CsvText("image_key", "method", "label", "predicted", "target_class", "probabilities", "map_max", "map_mean",
            "roi_pixels", "roi_ratio", "roi_x0", "roi_y0", "roi_x1", "roi_y1", "completeness_delta", "npy_uri", "png_uri", "content_sha256");
        foreach (var r in await results.AllResultsAsync(run.Id, ct))
        {
            var probabilities = string.Join(';', JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson) ?? []);
            perImage.Row(r.ImageKey, r.Method, r.Label, r.Predicted, r.TargetClass, probabilities, r.MapMax, r.MapMean,
                r.RoiPixels, r.RoiRatio, r.RoiX0, r.RoiY0, r.RoiX1, r.RoiY1, r.CompletenessDelta, r.NpyUri, r.PngUri, r.ContentSha256);
        }
        await output.WriteAsync(ResultKeys.ResultsCsv(run.Id), perImage.ToUtf8(), ct);

        var failures = new CsvText("image_key", "stage", "error");
        foreach (var f in await results.FailuresAsync(run.Id, ct)) failures.Row(f.ImageKey, f.Stage, f.Error);
        await output.WriteAsync(ResultKeys.FailuresCsv(run.Id), failures.ToUtf8(), ct);

        var classes = new CsvText("method", "class_index", "class_name", "selection", "image_count", "roi_threshold", "roi_pixels", "roi_ratio",
            "roi_x0", "roi_y0", "roi_x1", "roi_y1", "score_mean", "score_std", "image_roi_ratio_mean", "image_roi_ratio_std", "npy_uri", "png_uri");
        foreach (var c in await results.ClassAggregatesAsync(run.Id, ct))
            classes.Row(c.Method, c.ClassIndex, c.ClassName, c.Selection, c.ImageCount, c.RoiThreshold, c.RoiPixels, c.RoiRatio,
                c.RoiX0, c.RoiY0, c.RoiX1, c.RoiY1, c.ScoreMean, c.ScoreStd, c.ImageRoiRatioMean, c.ImageRoiRatioStd, c.NpyUri, c.PngUri);
        await output.WriteAsync(ResultKeys.ClassesCsv(run.Id), classes.ToUtf8(), ct);
    }
}
