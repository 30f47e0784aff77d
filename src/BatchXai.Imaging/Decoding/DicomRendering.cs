namespace BatchXai.Imaging;

/// <summary>
/// A DICOM frame as display levels at full precision (windowed, MONOCHROME1 inverted; colour scaled
/// from its stored depth), with their 8-bit rounding for overlays. The 8-bit pixels are rounded from
/// the double-precision level, so they do not depend on the levels' float storage.
/// </summary>
public static class DicomRendering
{
    /// <summary>8-bit RGB of <see cref="Render"/> (overlays, anything shown).</summary>
    public static RgbImage ToRgb(DicomFrame frame, IntensityWindow? window = null) => Render(frame, window).Pixels;

    /// <summary>
    /// Grayscale: the window given (a run's or manifest's choice) wins, then the file's own (VOI LUT
    /// Sequence, else Window Center/Width), then the frame's min–max. Colour: samples scaled from their
    /// stored depth to 0–255.
    /// </summary>
    public static DecodedImage Render(DicomFrame frame, IntensityWindow? window = null)
    {
        if (frame.Samples == 3)
        {
            double scale = 255.0 / ((1 << frame.BitsStored) - 1);
            return Map(frame.Values, frame.Width, frame.Height, 3, v => v * scale, invert: false);
        }
        if (window is null && frame.FileLut is { } lut)
            return Map(frame.Values, frame.Width, frame.Height, 1, lut.Apply, frame.Monochrome1);
        var chosen = window ?? frame.FileWindow ?? IntensityWindow.MinMax(frame.Values);
        return Map(frame.Values, frame.Width, frame.Height, 1, chosen.Apply, frame.Monochrome1);
    }

    /// <summary>Grayscale values at full precision through a window to levels (inverted for MONOCHROME1).</summary>
    public static DecodedImage Windowed(ReadOnlySpan<float> values, int width, int height, IntensityWindow window, bool invert = false) =>
        Map(values, width, height, 1, window.Apply, invert);

    /// <summary>Each value to its level (interleaved channels kept); gray replicated in the 8-bit pixels.</summary>
    public static DecodedImage Map(ReadOnlySpan<float> values, int width, int height, int channels, Func<double, double> toLevel, bool invert)
    {
        var levels = new LevelImage(width, height, channels);
        var rgb = new RgbImage(width, height);
        var pixels = rgb.Pixels;
        for (int i = 0; i < values.Length; i++)
        {
            double level = toLevel(values[i]);
            if (invert) level = 255 - level;
            levels.Levels[i] = (float)level;
            byte shown = (byte)Math.Clamp(Math.Round(level, MidpointRounding.AwayFromZero), 0, 255);
            if (channels == 3) pixels[i] = shown;
            else pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = shown;
        }
        return new DecodedImage(rgb, levels);
    }
}
