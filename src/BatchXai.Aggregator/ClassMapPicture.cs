using BatchXai.Core.Aggregation;
using BatchXai.Core.Maps;
using BatchXai.Imaging;

namespace BatchXai.Aggregator;

/// <summary>
/// The class-level map as a picture: the average map, normalised by its 99.5th-percentile scale, in
/// colour over grey (signed averages in the diverging colour map: red for the class, blue against),
/// the 70% ROI box in white.
/// </summary>
public static class ClassMapPicture
{
    private const byte Background = 48;
    private static readonly Rgb BoxColour = new(255, 255, 255);

    public static RgbImage Render(ClassLevelView view) => Render(view.AverageMap, view.RoiBox, view.Signed);

    /// <summary>Any class-level map (a SpRAy cluster's mean map too), with a box when one is given.</summary>
    public static RgbImage Render(ExplanationMap map, BoundingBox? box = null, bool signed = false)
    {
        var canvas = new RgbImage(map.Width, map.Height);
        Array.Fill(canvas.Pixels, Background);
        var normalized = map.Normalized(signed);
        var picture = HeatmapOverlay.Render(canvas, normalized.Values, threshold: 0f, alpha: 1f, signed: signed);
        if (box is { IsEmpty: false } b)
            HeatmapOverlay.DrawBox(picture, b.X0, b.Y0, b.X1, b.Y1, BoxColour);
        return picture;
    }
}
