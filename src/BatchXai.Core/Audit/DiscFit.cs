namespace BatchXai.Core.Audit;

/// <summary>
/// Fits a disc to a fundus photo's field-of-view mask. A region that neither touches the frame's
/// edge nor is cut by a straight line gets the disc of equal area at its centroid (r = √(area/π)),
/// which a ragged or notched rim hardly moves. A region cut by the frame, or by the straight black
/// bands of a photo cropped at top and bottom and padded square, has lost area, so there the disc is
/// the algebraic least-squares circle (Kåsa) through its free rim only: the midpoints between
/// neighbouring inside and outside pixel centres, leaving out straight horizontal or vertical runs
/// longer than a disc's own flat top (≈ 2√(2r) pixels), which are cuts, not rim.
/// </summary>
internal static class DiscFit
{
    /// <summary>Fewer free rim points than this and the circle fit is not trusted; the equal-area disc stands.</summary>
    private const int MinRimPoints = 12;

    public static FieldOfView Fit(bool[] mask, int height, int width)
    {
        double sumX = 0, sumY = 0;
        int area = 0;
        bool touchesFrame = false;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (!mask[y * width + x]) continue;
                area++;
                sumX += x + 0.5;
                sumY += y + 0.5;
                touchesFrame |= x == 0 || y == 0 || x == width - 1 || y == height - 1;
            }
        if (area == 0) throw new ArgumentException("the mask is empty", nameof(mask));
        double equalAreaRadius = Math.Sqrt(area / Math.PI);
        var equalArea = FieldOfView.Disc(height, width, sumX / area, sumY / area, equalAreaRadius);

        var (rim, cut) = FreeRim(mask, height, width, longestRun: (int)Math.Ceiling(3 * Math.Sqrt(equalAreaRadius)) + 3);
        if (!touchesFrame && !cut) return equalArea;
        return CircleThrough(rim) is var (cx, cy, r) && r > 0 && double.IsFinite(r) && rim.Count >= MinRimPoints
            ? FieldOfView.Disc(height, width, cx, cy, r)
            : equalArea;
    }

    /// <summary>The rim points, and whether any straight run longer than <paramref name="longestRun"/> was left out.</summary>
    private static (List<(double X, double Y)> Rim, bool Cut) FreeRim(bool[] mask, int height, int width, int longestRun)
    {
        var rim = new List<(double X, double Y)>();
        bool cut = false;
        // Edges between rows y−1 and y, scanned along x; then edges between columns x−1 and x, scanned along y.
        for (int y = 1; y < height; y++)
        {
            int row = y;
            Scan(width, x => Side(mask[(row - 1) * width + x], mask[row * width + x]), x => (x + 0.5, row));
        }
        for (int x = 1; x < width; x++)
        {
            int column = x;
            Scan(height, y => Side(mask[y * width + column - 1], mask[y * width + column]), y => (column, y + 0.5));
        }
        return (rim, cut);

        // A run is a stretch of consecutive edges with the inside on the same side.
        void Scan(int length, Func<int, int> side, Func<int, (double, double)> midpoint)
        {
            for (int i = 0; i < length;)
            {
                int s = side(i);
                if (s == 0) { i++; continue; }
                int end = i;
                while (end < length && side(end) == s) end++;
                if (end - i > longestRun) cut = true;
                else for (int k = i; k < end; k++) rim.Add(midpoint(k));
                i = end;
            }
        }
    }

    /// <summary>0 where two neighbours agree, otherwise ±1 by which of them is inside.</summary>
    private static int Side(bool before, bool after) => before == after ? 0 : before ? 1 : -1;

    /// <summary>Kåsa fit: minimises Σ (x² + y² + D x + E y + F)², in coordinates centred on the points' mean for conditioning.</summary>
    private static (double X, double Y, double R)? CircleThrough(List<(double X, double Y)> points)
    {
        if (points.Count < 3) return null;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double suu = 0, svv = 0, suv = 0, suz = 0, svz = 0, sz = 0;
        foreach (var (px, py) in points)
        {
            double u = px - mx, v = py - my, z = u * u + v * v;
            suu += u * u; svv += v * v; suv += u * v; suz += u * z; svz += v * z; sz += z;
        }
        double det = suu * svv - suv * suv;
        if (Math.Abs(det) < 1e-9 * (suu * svv + 1)) return null;
        // With Σu = Σv = 0 the normal equations split: F = −Σz/n, and a 2×2 system for D, E.
        double d = -(suz * svv - svz * suv) / det, e = -(svz * suu - suz * suv) / det, f = -sz / points.Count;
        double r2 = (d * d + e * e) / 4 - f;
        return r2 > 0 ? (mx - d / 2, my - e / 2, Math.Sqrt(r2)) : null;
    }
}
