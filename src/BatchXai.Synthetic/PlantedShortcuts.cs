using BatchXai.Imaging;
using BatchXai.Synthetic.Rendering;

namespace BatchXai.Synthetic;

/// <summary>
/// Planted shortcuts inside the field of view (issue 13), which the geometric audit cannot see:
/// a small bright ring at a fixed place on the retina, and a colour cast over the whole image. Each
/// is tied to one grade and drawn on a share of that grade's images only, so it is a perfect
/// (never lying) cue for that grade where it appears.
/// </summary>
internal static class PlantedShortcuts
{
    /// <summary>Ring centre as fractions of the frame: upper temporal-neutral retina, inside the field of view (0.25 of the side from the centre) and clear of the optic disc.</summary>
    public const double RingCentreX = 0.68, RingCentreY = 0.32;

    /// <summary>Ring radius and line width at the 320-px reference size.</summary>
    public const double ReferenceRingRadius = 9, ReferenceRingWidth = 3;

    /// <summary>The cast's per-channel gains (R, G, B): a cold blue-green tint over the red-orange fundus.</summary>
    public static readonly double[] CastGains = [0.72, 1.08, 1.6];

    /// <summary>Draws a near-white anti-aliased ring; returns its bounding box.</summary>
    public static PixelBox DrawRing(RgbImage image, RetinaGeometry g)
    {
        double cx = RingCentreX * g.Size, cy = RingCentreY * g.Size;
        double radius = ReferenceRingRadius * g.Scale, half = Math.Max(0.75, ReferenceRingWidth * g.Scale / 2);
        int x0 = (int)Math.Floor(cx - radius - half - 1), x1 = (int)Math.Ceiling(cx + radius + half + 1);
        int y0 = (int)Math.Floor(cy - radius - half - 1), y1 = (int)Math.Ceiling(cy + radius + half + 1);
        if (!g.InsideFov(x0, y0) || !g.InsideFov(x1, y0) || !g.InsideFov(x0, y1) || !g.InsideFov(x1, y1))
            throw new InvalidOperationException($"ring box ({x0},{y0})-({x1},{y1}) would leave the field of view of a {g.Size}px image");
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double d = Math.Abs(Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy)) - radius);
                double cover = Math.Clamp(half + 0.5 - d, 0, 1); // one pixel of anti-aliasing at the edges
                if (cover <= 0) continue;
                int i = (y * image.Width + x) * 3;
                for (int c = 0; c < 3; c++) image.Pixels[i + c] = (byte)Math.Round(image.Pixels[i + c] + cover * (250 - image.Pixels[i + c]));
            }
        return new PixelBox(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>Multiplies every pixel by <see cref="CastGains"/> (the black surround stays black).</summary>
    public static void CastColour(RgbImage image)
    {
        var p = image.Pixels;
        for (int i = 0; i < p.Length; i++) p[i] = (byte)Math.Clamp(Math.Round(p[i] * CastGains[i % 3]), 0, 255);
    }
}
