using BatchXai.Dashboard.Review;

namespace BatchXai.Dashboard.Api;

// The reviewer's views (issue 13): verdicts, SpRAy clusters, metrics, run comparison. The numbers come
// from Review/ (shared with the HTML report); these records add the URLs the browser loads.

public sealed record ClusterMember(string ImageKey, string OverlayUrl, string OriginalUrl);

/// <summary>
/// A SpRAy cluster with its mean-map picture, its first members (nearest the mean) and the findings
/// that name it: the candidate warning and, when the audit stored one, the masking check of its region.
/// </summary>
public sealed record ClusterView(string Method, int ClassIndex, string ClassName, int ClusterIndex, int ClusterCount, int ClassImageCount, int Size,
    double Eigengap, double Spread, double DistanceToMain, bool Candidate, string MeanMapUrl, int MemberCount, ClusterMember[] Members,
    IReadOnlyList<FindingSummary> Findings);

public sealed record MetricsView(ModelMetricsSummary? Model, IReadOnlyList<FaithfulnessRanking> Rankings);

public sealed record ClassMapDeltaView(ClassMapDelta Delta, string MapUrlA, string MapUrlB, string? DifferenceUrl);

public sealed record ComparisonView(RunSummary A, RunSummary B, bool SameDataset, ClassMapDeltaView[] Maps, IReadOnlyList<MetricDelta> Metrics,
    IReadOnlyList<VerdictDelta> Verdicts);

/// <summary>An image's field of view in model-input pixels: a disc (centre, radius), a detected foreground (drawn as its equal-area disc) or the frame.</summary>
public sealed record FieldOfViewView(string Kind, int Width, int Height, double CenterX, double CenterY, double Radius, double InsideFraction);

public sealed record ImageKeys(int Total, string[] Keys);
