using System.Text.Json;
using BatchXai.Storage.Database;

namespace BatchXai.Storage.Csv;

/// <summary>
/// A run's tables as CSV: per-image results, failures and class aggregates. One format for the
/// files written beside the maps, the dashboard's export endpoints and <c>batchxai export</c>.
/// </summary>
public static class RunCsv
{
    /// <summary>A row per image, method and explained class; multi-label runs add the image's labelled and present findings,
    /// target_class being the finding the map explains.</summary>
    public static byte[] ImageResults(IEnumerable<ImageResultRow> rows)
    {
        var csv = new CsvText("image_key", "method", "label", "predicted", "target_class", "probabilities", "map_max", "map_mean",
            "roi_pixels", "roi_ratio", "roi_x0", "roi_y0", "roi_x1", "roi_y1", "completeness_delta", "path_steps", "npy_uri", "png_uri", "content_sha256",
            "label_findings", "predicted_findings");
        foreach (var r in rows)
        {
            var probabilities = string.Join(';', JsonSerializer.Deserialize<float[]>(r.ProbabilitiesJson) ?? []);
            csv.Row(r.ImageKey, r.Method, r.Label, r.Predicted, r.TargetClass, probabilities, r.MapMax, r.MapMean,
                r.RoiPixels, r.RoiRatio, r.RoiX0, r.RoiY0, r.RoiX1, r.RoiY1, r.CompletenessDelta, r.PathSteps, r.NpyUri, r.PngUri, r.ContentSha256,
                Findings(r.LabelFindingsJson), Findings(r.PredictedFindingsJson));
        }
        return csv.ToUtf8();
    }

    /// <summary>A multi-label row's findings as "0;2" (empty: none); null on single-label rows, whose target_class is a class, not a finding.</summary>
    private static string? Findings(string? json) => json is null ? null : string.Join(';', JsonSerializer.Deserialize<int[]>(json) ?? []);

    public static byte[] Failures(IEnumerable<ImageFailureRow> rows)
    {
        var csv = new CsvText("image_key", "stage", "error");
        foreach (var f in rows) csv.Row(f.ImageKey, f.Stage, f.Error);
        return csv.ToUtf8();
    }

    public static byte[] ClassAggregates(IEnumerable<ClassAggregateRow> rows)
    {
        var csv = new CsvText("method", "class_index", "class_name", "selection", "image_count", "roi_threshold", "roi_pixels", "roi_ratio",
            "roi_x0", "roi_y0", "roi_x1", "roi_y1", "score_mean", "score_std", "image_roi_ratio_mean", "image_roi_ratio_std", "npy_uri", "png_uri");
        foreach (var c in rows)
            csv.Row(c.Method, c.ClassIndex, c.ClassName, c.Selection, c.ImageCount, c.RoiThreshold, c.RoiPixels, c.RoiRatio,
                c.RoiX0, c.RoiY0, c.RoiX1, c.RoiY1, c.ScoreMean, c.ScoreStd, c.ImageRoiRatioMean, c.ImageRoiRatioStd, c.NpyUri, c.PngUri);
        return csv.ToUtf8();
    }
}
