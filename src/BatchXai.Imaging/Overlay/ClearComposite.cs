namespace BatchXai.Imaging;

/// <summary>
/// The CLEAR map (CLEAR-DR eq. 5) over the image: per pixel the colour HSV(F(Ĉ), 1, V) with
/// V the dominant response normalised to [0,1], blended over the image where V reaches the
/// display threshold (as the other overlays show values ≥ 20% of the maximum), and under it a
/// legend strip with each class's colour and name.
/// </summary>
public static class ClearComposite
{
    /// <summary>Classes listed in the legend at most; with more, the ones dominating most shown pixels.</summary>
    public const int MaxLegendRows = 12;

    private const int RowHeight = BitmapFont5x7.GlyphHeight + 3, Margin = 3, Swatch = BitmapFont5x7.GlyphHeight;
    private const byte LegendBackground = 32;

    /// <param name="dominantClass">Ĉ per pixel (negative: no class responds there).</param>
    /// <param name="normalisedResponse">V = D / max D per pixel, in [0,1].</param>
    public static RgbImage Render(RgbImage background, ReadOnlySpan<int> dominantClass, ReadOnlySpan<float> normalisedResponse,
        IReadOnlyList<string> classNames, float threshold = 0.2f, float alpha = 0.6f)
    {
        ArgumentNullException.ThrowIfNull(background);
        int pixels = background.Width * background.Height;
        if (dominantClass.Length != pixels || normalisedResponse.Length != pixels)
            throw new ArgumentException($"CLEAR maps of {dominantClass.Length} and {normalisedResponse.Length} values do not fit a {background.Width}x{background.Height} image");

        var shownPixels = new long[classNames.Count];
        var legend = LegendClasses(dominantClass, normalisedResponse, threshold, shownPixels);
        int legendHeight = 2 * Margin + RowHeight * legend.Rows + (legend.Hidden > 0 ? RowHeight : 0);
        var result = new RgbImage(background.Width, background.Height + legendHeight);
        background.Pixels.CopyTo(result.Pixels, 0);
        for (int p = 0; p < pixels; p++)
        {
            float v = normalisedResponse[p];
            int d = dominantClass[p];
            if (!(v >= threshold) || d < 0 || d >= classNames.Count) continue;
            var colour = ClassPalette.Colour(d, Math.Min(v, 1f));
            int i = 3 * p;
            result.Pixels[i] = HeatmapOverlay.Blend(result.Pixels[i], colour.R, alpha);
            result.Pixels[i + 1] = HeatmapOverlay.Blend(result.Pixels[i + 1], colour.G, alpha);
            result.Pixels[i + 2] = HeatmapOverlay.Blend(result.Pixels[i + 2], colour.B, alpha);
        }

        result.Pixels.AsSpan(pixels * 3).Fill(LegendBackground);
        int y = background.Height + Margin;
        foreach (int d in legend.Classes)
        {
            var swatch = ClassPalette.Colour(d);
            for (int sy = 0; sy < Swatch; sy++)
                for (int sx = 0; sx < Swatch && Margin + sx < result.Width; sx++)
                    result.Set(Margin + sx, y + sy, swatch.R, swatch.G, swatch.B);
            BitmapFont5x7.Draw(result, BitmapFont5x7.Printable($"{d} {classNames[d]}"), 2 * Margin + Swatch, y, 1, 230, 230, 230);
            y += RowHeight;
        }
        if (legend.Hidden > 0)
            BitmapFont5x7.Draw(result, $"+{legend.Hidden} MORE", 2 * Margin + Swatch, y, 1, 230, 230, 230);
        return result;
    }

    /// <summary>Every class when they fit; otherwise those dominating the most shown pixels, in class order.</summary>
    private static (int[] Classes, int Rows, int Hidden) LegendClasses(ReadOnlySpan<int> dominant, ReadOnlySpan<float> v, float threshold, long[] counts)
    {
        int n = counts.Length;
        if (n <= MaxLegendRows) return (Enumerable.Range(0, n).ToArray(), n, 0);
        for (int p = 0; p < dominant.Length; p++)
            if (v[p] >= threshold && dominant[p] >= 0 && dominant[p] < n) counts[dominant[p]]++;
        var shown = Enumerable.Range(0, n).Where(d => counts[d] > 0).OrderByDescending(d => counts[d]).Take(MaxLegendRows).Order().ToArray();
        return (shown, shown.Length, n - shown.Length);
    }
}
