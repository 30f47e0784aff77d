namespace BatchXai.Imaging;

/// <summary>Draws explanation maps and ROI boxes over images for the dashboard and stored .png overlays.</summary>
public static class HeatmapOverlay
{
    /// <summary>
    /// A copy of <paramref name="background"/> where every pixel whose map value is ≥
    /// <paramref name="threshold"/> is blended with its colormap colour:
    /// <c>out = (1 − alpha)·background + alpha·colour</c>. Pixels below the threshold (and NaN) keep
    /// the background — the CRM paper shows only values ≥ 20% of the maximum.
    /// </summary>
    /// <param name="normalisedMap">Height×Width values in [0,1] ([−1,1] when <paramref name="signed"/>), row-major, same size as the background.</param>
    /// <param name="signed">A signed map: pixels with |value| ≥ threshold are shown, in a diverging colour map
    /// (default <see cref="Colormap.BlueWhiteRed"/>: red for the class, blue against it).</param>
    public static RgbImage Render(RgbImage background, ReadOnlySpan<float> normalisedMap, float threshold = 0.2f,
        float alpha = 0.5f, Colormap? colormap = null, bool signed = false)
    {
        ArgumentNullException.ThrowIfNull(background);
        if (normalisedMap.Length != background.Width * background.Height)
            throw new ArgumentException(
                $"map has {normalisedMap.Length} values, the {background.Width}x{background.Height} background needs {background.Width * background.Height}",
                nameof(normalisedMap));
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0,1]");
        colormap ??= signed ? Colormap.BlueWhiteRed : Colormap.Jet;

        var result = new RgbImage(background.Width, background.Height, (byte[])background.Pixels.Clone());
        var pixels = result.Pixels;
        for (int p = 0; p < normalisedMap.Length; p++)
        {
            float value = normalisedMap[p];
            if (!((signed ? Math.Abs(value) : value) >= threshold)) continue;
            var colour = signed ? colormap.MapSigned(value) : colormap.Map(value);
            int i = 3 * p;
            pixels[i] = Blend(pixels[i], colour.R, alpha);
            pixels[i + 1] = Blend(pixels[i + 1], colour.G, alpha);
            pixels[i + 2] = Blend(pixels[i + 2], colour.B, alpha);
        }
        return result;
    }

    /// <summary>
    /// Draws the outline of the box with inclusive corners (x0,y0)–(x1,y1) in place, clipped to the
    /// image; the line grows inwards when <paramref name="thickness"/> &gt; 1.
    /// </summary>
    public static void DrawBox(RgbImage image, int x0, int y0, int x1, int y1, Rgb colour, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        if (x0 > x1) (x0, x1) = (x1, x0);
        if (y0 > y1) (y0, y1) = (y1, y0);
        for (int t = 0; t < thickness; t++)
        {
            int left = x0 + t, right = x1 - t, top = y0 + t, bottom = y1 - t;
            if (left > right || top > bottom) break;
            FillRect(image, left, top, right, top, colour);
            FillRect(image, left, bottom, right, bottom, colour);
            FillRect(image, left, top, left, bottom, colour);
            FillRect(image, right, top, right, bottom, colour);
        }
    }

    private static void FillRect(RgbImage image, int x0, int y0, int x1, int y1, Rgb colour)
    {
        x0 = Math.Max(x0, 0);
        y0 = Math.Max(y0, 0);
        x1 = Math.Min(x1, image.Width - 1);
        y1 = Math.Min(y1, image.Height - 1);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                image.Set(x, y, colour.R, colour.G, colour.B);
    }

    internal static byte Blend(byte background, byte colour, float alpha) =>
        (byte)(background + alpha * (colour - background) + 0.5f);
}
