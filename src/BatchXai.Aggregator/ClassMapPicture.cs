using BatchXai.Core.Aggregation;
using BatchXai.Imaging;

namespace BatchXai.Aggregator;

/// <summary>The class-level map as a picture: the average map in colour over grey, the 70% ROI box in white.</summary>
public static class ClassMapPicture
{
    private const byte Background = 48;
    private static readonly Rgb BoxColour = new(255, 255, 255);

    public static RgbImage Render(ClassLevelView view)
    {
        var map = view.AverageMap;
        var canvas = new RgbImage(map.Width, map.Height);
        Array.Fill(canvas.Pixels, Background);
        var normalized = map.NormalizedByMax();
        var picture = HeatmapOverlay.Render(canvas, normalized.Values, threshold: 0f, alpha: 1f);
        if (!view.RoiBox.IsEmpty)
            HeatmapOverlay.DrawBox(picture, view.RoiBox.X0, view.RoiBox.Y0, view.RoiBox.X1, view.RoiBox.Y1, BoxColour);
        return picture;
    }
}
