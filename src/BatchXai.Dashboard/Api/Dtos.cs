using System.Text.Json;

namespace BatchXai.Dashboard.Api;

// The JSON the API answers with (camelCase on the wire). URLs are relative to the dashboard host.

public sealed record RunSummary(Guid Id, string Status, string ModelName, string DatasetUri, string[] Methods, string Target,
    int Expected, int Explained, int Failed, double Progress, DateTime CreatedAt, DateTime UpdatedAt, DateTime? CompletedAt, string? Error);

public sealed record SeverityCounts(int Info, int Warning, int Critical);

public sealed record RunDetail(RunSummary Run, string[] ClassNames, SeverityCounts Audit, int ClassViews, string[] RunPictureUrls);

/// <summary>Inclusive pixel bounds at model-input size.</summary>
public sealed record Box(int X0, int Y0, int X1, int Y1);

/// <summary><paramref name="Signed"/>: the method's maps are signed (red for the class, blue against it; the average spans [−1, 1]).</summary>
public sealed record ClassView(string Method, bool Signed, int ClassIndex, string ClassName, string Selection, int ImageCount, double RoiThreshold,
    int RoiPixels, double RoiRatio, Box RoiBox, double ScoreMean, double ScoreStd, double ImageRoiRatioMean, double ImageRoiRatioStd, string MapUrl);

public sealed record RoiCell(int ImageCount, double ClassRoiRatio, double ImageRoiRatioMean, double ImageRoiRatioStd);

public sealed record RoiTableRow(int ClassIndex, string ClassName, Dictionary<string, RoiCell> Methods);

/// <summary>CRM paper Table 3 analog: per class (rows) and method (columns), the class-level 70% ROI ratio and the per-image 20% ROI ratios.</summary>
public sealed record RoiTable(string[] Methods, RoiTableRow[] Rows);

/// <summary>A fixed-bin histogram over [Min, Max] with the mean and population standard deviation of the values.</summary>
public sealed record HistogramData(double Min, double Max, long[] Counts, double Mean, double Std);

/// <summary>CRM paper Fig. 6 analog: normalised map scores over every pixel of the class's images, and their per-image ROI ratios.
/// A <paramref name="Signed"/> method's scores span [−1, 1] (<see cref="HistogramData.Min"/> says so).</summary>
public sealed record Distribution(string Method, int ClassIndex, string ClassName, int ImageCount, bool Signed, HistogramData Scores, HistogramData RoiRatios);

public sealed record ExampleImage(string ImageKey, double? Value, string? OverlayUrl, string OriginalUrl);

public sealed record AuditFindingView(string Method, int ClassIndex, string ClassName, string Kind, string Severity, string Message,
    JsonElement Evidence, ExampleImage[] Examples);

public sealed record Picture(string Folder, string Kind, string Url);

/// <summary>One stored result of an image. A multi-label run has one per (method, finding): <paramref name="Finding"/> and
/// <paramref name="FindingName"/> say which (null on single-label runs). <paramref name="Folder"/>: the folder of its pictures
/// (<see cref="Picture.Folder"/>); <paramref name="OverlayUrl"/>: its overlay; <paramref name="Signed"/>: a signed method's (red for, blue against);
/// <paramref name="FindingCorrect"/>: on a multi-label run, whether the finding's predicted presence matches its label (null unlabelled).</summary>
public sealed record MethodResult(string Method, double MapMax, double MapMean, int RoiPixels, double RoiRatio, Box RoiBox, double? CompletenessDelta,
    int? Finding, string? FindingName, string Folder, string OverlayUrl, bool Signed, bool? FindingCorrect = null);

public sealed record ImageItem(string ImageKey, int? Label, string? LabelName, int? Predicted, string? PredictedName, bool? Correct,
    float[] Probabilities, string OriginalUrl, Picture[] Pictures, MethodResult[] Results, string? FailureStage, string? FailureReason,
    FieldOfViewView? FieldOfView = null);

public sealed record ImagePage(int Total, int Offset, int Limit, ImageItem[] Items);

public sealed record FailureView(string ImageKey, string Stage, string Error, DateTime CreatedAt);

public sealed record Health(string Status);

public sealed record ApiError(string Error);
