using BatchXai.Imaging;

namespace BatchXai.Dashboard.Review;

/// <summary>
/// How two class-level maps of the same class differ, each first divided by its own maximum (the
/// class views are max-normalised for display, so a model with larger attributions is not "different"
/// for that alone): mean |a − b| over the pixels and the Pearson correlation. Both maps must have one size.
/// </summary>
public sealed record MapDifference(double MeanAbsDifference, double? Correlation)
{
    public static MapDifference Of(float[] a, float[] b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException($"maps of {a.Length} and {b.Length} pixels cannot be compared");
        var (na, nb) = (Normalised(a), Normalised(b));
        double diff = 0, ma = na.Average(), mb = nb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < na.Length; i++)
        {
            diff += Math.Abs(na[i] - nb[i]);
            double da = na[i] - ma, db = nb[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return new MapDifference(diff / na.Length, saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : null);
    }

    /// <summary>a/max(a) − b/max(b) in a blue–white–red colour map: red where the first run attends more, blue where the second does.</summary>
    public static RgbImage Picture(float[] a, float[] b, int width, int height)
    {
        var (na, nb) = (Normalised(a), Normalised(b));
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = Colormap.BlueWhiteRed.MapSigned((float)(na[y * width + x] - nb[y * width + x]));
                image.Set(x, y, c.R, c.G, c.B);
            }
        return image;
    }

    private static double[] Normalised(float[] map)
    {
        double max = 0;
        foreach (var v in map) if (v > max) max = v;
        return map.Select(v => max > 0 ? Math.Max(0, v) / max : 0).ToArray();
    }
}
