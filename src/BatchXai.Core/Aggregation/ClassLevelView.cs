using BatchXai.Core.Maps;

namespace BatchXai.Core.Aggregation;

/// <summary>
/// The class-level picture for one method and class (CRM paper eq. 8, §4.2, Fig. 6, Table 3):
/// the average of the images' normalised maps (by their 99.5th-percentile scale; signed for signed
/// methods), its ROI at 70% of its maximum (the positive part), the
/// distribution of normalised map scores over every pixel of every image, and the distribution
/// of per-image ROI ratios.
/// </summary>
public sealed record ClassLevelView(
    int ClassIndex,
    int ImageCount,
    ExplanationMap AverageMap,
    double RoiThreshold,
    int RoiPixels,
    double RoiRatio,
    BoundingBox RoiBox,
    Histogram Scores,
    Histogram ImageRoiRatios)
{
    /// <summary>True for a signed method: <see cref="AverageMap"/> lies in [−1, 1] and is drawn in the diverging colour map.</summary>
    public bool Signed { get; init; }
}
