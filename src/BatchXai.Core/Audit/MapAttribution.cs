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
        // Shares of Σ max(0, v / max) equal shares of Σ max(0, v): the raw values are summed and the
        // per-pixel divide skipped; a map with no positive finite maximum normalises to zeros, as in NormalizedByMax.
        float max = map.Max();
        var corners = new double[ImageCorners.All.Length];
        if (!(max > 0f && float.IsFinite(max))) return new MapAttribution(0, 0, corners, 0, 0, PeakCorner: null);
        double total = 0, outside = 0, border = 0;
        int peakX = 0, peakY = 0;
        float peak = float.NegativeInfinity;
        var values = map.Values;
        int borderX = regions.BorderX, borderY = regions.BorderY, cornerX = regions.CornerX;
        for (int y = 0, p = 0; y < map.Height; y++)
        {
            bool borderRow = y < borderY || y >= map.Height - borderY;
            var (left, right) = regions.CornersOfRow(y);
            for (int x = 0; x < map.Width; x++, p++)
            {
                float v = Math.Max(0f, values[p]);
                if (v > peak) { peak = v; peakX = x; peakY = y; }
                if (v == 0f) continue;
                total += v;
                if (!fov.Contains(x, y)) outside += v;
                if (borderRow || x < borderX || x >= map.Width - borderX) border += v;
                if (x < cornerX) { if (left is { } l) corners[(int)l] += v; }
                else if (x >= map.Width - cornerX && right is { } r) corners[(int)r] += v;
            }
        }
        if (total <= 0) return new MapAttribution(0, 0, corners, peakX, peakY, PeakCorner: null); // no peak to speak of
        for (int i = 0; i < corners.Length; i++) corners[i] /= total;
        return new MapAttribution(outside / total, border / total, corners, peakX, peakY, regions.CornerOf(peakX, peakY));
    }
}
