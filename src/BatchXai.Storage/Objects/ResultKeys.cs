namespace BatchXai.Storage.Objects;

/// <summary>
/// Where a run's outputs live in the results store (docs/architecture.md, "Storage layout"): one function per kind of object,
/// shared by the writers (worker, aggregator) and the readers (aggregator, dashboard).
/// </summary>
public static class ResultKeys
{
    public static string RunFolder(Guid runId) => runId.ToString("D");

    /// <summary><c>&lt;run&gt;/&lt;method&gt;/&lt;image key without extension&gt;</c>; add ".npy", ".png" or ".feature.npy".
    /// Multi-label runs keep one map per (image, finding): <c>&lt;run&gt;/&lt;method&gt;/&lt;finding folder&gt;/&lt;image key without extension&gt;</c>.</summary>
    /// <param name="finding">The <see cref="FindingFolder"/> of a multi-label run's map; null for single-label runs.</param>
    public static string ImageStem(Guid runId, string method, string imageKey, string? finding = null) =>
        $"{RunFolder(runId)}/{MethodFolder(method, finding)}/{StemOf(imageKey)}";

    /// <summary>The folder, relative to the run folder, of a method's image maps: "&lt;method&gt;", or "&lt;method&gt;/&lt;finding folder&gt;" on a multi-label run.</summary>
    public static string MethodFolder(string method, string? finding = null) => finding is null ? method : $"{method}/{finding}";

    /// <summary>A multi-label run's folder of one finding's maps: "&lt;index&gt;_&lt;name&gt;", as class views name theirs.</summary>
    public static string FindingFolder(int findingIndex, string findingName) => $"{findingIndex}_{Sanitize(findingName)}";

    /// <summary>The finding folder of a stored row (its target class on a multi-label run), or null for a single-label row.</summary>
    public static string? FindingOf(Database.ImageResultRow row, IReadOnlyList<string> classNames) =>
        FindingOf(row.TargetClass, row.PredictedFindingsJson is not null, classNames);

    /// <summary>The finding folder of class <paramref name="classIndex"/>'s maps on a multi-label run; null on a single-label run.</summary>
    public static string? FindingOf(int classIndex, bool multiLabel, IReadOnlyList<string> classNames) =>
        multiLabel ? FindingFolder(classIndex, classIndex >= 0 && classIndex < classNames.Count ? classNames[classIndex] : "") : null;

    /// <summary>
    /// The image key without its file extension ("train_images/a.png" → "train_images/a"); a frame
    /// of a multi-frame file (<see cref="Contracts.FrameKeys"/>, "ct/scan.dcm#3") → "ct/scan-frame3"
    /// ('#' would end a URL's path).
    /// </summary>
    public static string StemOf(string imageKey)
    {
        var (file, frame) = Contracts.FrameKeys.Split(imageKey);
        int slash = file.LastIndexOf('/'), dot = file.LastIndexOf('.');
        var stem = dot > slash + 1 ? file[..dot] : file;
        return frame is null ? stem : $"{stem}-frame{frame}";
    }

    public static string ImageMap(Guid runId, string method, string imageKey, string? finding = null) => ImageStem(runId, method, imageKey, finding) + ".npy";
    public static string ImageFeatureMap(Guid runId, string method, string imageKey, string? finding = null) => ImageStem(runId, method, imageKey, finding) + ".feature.npy";
    public static string ImageOverlay(Guid runId, string method, string imageKey, string? finding = null) => ImageStem(runId, method, imageKey, finding) + ".png";

    /// <summary>CLEAR: R(x|d) of every class, N×H×W float32.</summary>
    public static string ImageClassResponses(Guid runId, string method, string imageKey, string? finding = null) => ImageStem(runId, method, imageKey, finding) + ".responses.npy";

    /// <summary>CLEAR: the dominant class Ĉ per pixel, H×W int32 (−1 where no class responds).</summary>
    public static string ImageDominantClass(Guid runId, string method, string imageKey, string? finding = null) => ImageStem(runId, method, imageKey, finding) + ".dominant_class.npy";

    public static string ClassStem(Guid runId, string method, int classIndex, string className) =>
        $"{RunFolder(runId)}/classes/{method}/{classIndex}_{Sanitize(className)}";

    /// <summary>A SpRAy cluster's mean map, beside the class views: &lt;run&gt;/spray/&lt;method&gt;/&lt;class&gt;_&lt;name&gt;/cluster_&lt;n&gt;.</summary>
    public static string SprayClusterStem(Guid runId, string method, int classIndex, string className, int cluster) =>
        $"{RunFolder(runId)}/spray/{method}/{classIndex}_{Sanitize(className)}/cluster_{cluster}";

    public static string ResultsCsv(Guid runId) => $"{RunFolder(runId)}/results.csv";
    public static string FailuresCsv(Guid runId) => $"{RunFolder(runId)}/failures.csv";
    public static string ClassesCsv(Guid runId) => $"{RunFolder(runId)}/classes.csv";
    public static string AuditCsv(Guid runId) => $"{RunFolder(runId)}/audit.csv";
    public static string DominanceCsv(Guid runId) => $"{RunFolder(runId)}/dominance.csv";
    /// <summary>Model metrics and per-class faithfulness summaries (issue 12).</summary>
    public static string MetricsCsv(Guid runId) => $"{RunFolder(runId)}/metrics.csv";
    /// <summary>Per-image faithfulness metrics with their curves (issue 12).</summary>
    public static string ImageMetricsCsv(Guid runId) => $"{RunFolder(runId)}/image_metrics.csv";

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
