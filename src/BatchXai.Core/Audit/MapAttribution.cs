using BatchXai.Core.Maps;

namespace BatchXai.Core.Audit;

/// <summary>
/// Where one image's explanation puts its weight. Masses are shares of Σ of the max-normalised
/// map (negative values clamped to 0), so they lie in [0, 1]; an all-zero map has all masses 0.
/// <see cref="CornerMass"/> is indexed by <see cref="ImageCorner"/>. The peak is the first maximum in
/// row-major order.
/// </summary>
public sealed record MapAttribution(double OutsideFovMass, double BorderMass, double[] CornerMass, int PeakX, int PeakY, ImageCorner? PeakCorner)
{
    public double MassIn(ImageCorner corner) => CornerMass[(int)corner];

    /// <summary>Measures a map at input size against the field of view and frame regions.</summary>
    public static MapAttribution Measure(ExplanationMap map, FieldOfView fov, FrameRegions regions)
    {
        if (regions.Height != map.Height || regions.Width != map.Width)
            throw new ArgumentException($"frame regions are {regions.Height}x{regions.Width} but the map is {map.Height}x{map.Width}", nameof(regions));
        if (fov.Height != map.Height || fov.Width != map.Width)
            throw new ArgumentException($"the field of view is {fov.Height}x{fov.Width} but the map is {map.Height}x{map.Width}", nameof(fov));
        var normalized = map.NormalizedByMax();
        double total = 0, outside = 0, border = 0;
        var corners = new double[ImageCorners.All.Length];
        int peakX = 0, peakY = 0;
        float peak = float.NegativeInfinity;
        for (int y = 0; y < map.Height; y++)
            for (int x = 0; x < map.Width; x++)
            {
                float v = normalized[y, x];
                if (v > peak) { peak = v; peakX = x; peakY = y; }
                total += v;
                if (!fov.Contains(x, y)) outside += v;
                if (regions.InBorder(x, y)) border += v;
                if (regions.CornerOf(x, y) is { } c) corners[(int)c] += v;
            }
        if (total <= 0) return new MapAttribution(0, 0, corners, peakX, peakY, PeakCorner: null); // no peak to speak of
        for (int i = 0; i < corners.Length; i++) corners[i] /= total;
        return new MapAttribution(outside / total, border / total, corners, peakX, peakY, regions.CornerOf(peakX, peakY));
    }
}
