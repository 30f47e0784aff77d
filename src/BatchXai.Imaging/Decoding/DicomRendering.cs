namespace BatchXai.Imaging;

/// <summary>A DICOM frame as the 8-bit RGB image the pipeline works on: windowed, MONOCHROME1 inverted, gray replicated.</summary>
public static class DicomRendering
{
    /// <summary>
    /// Grayscale: the window given (a run's choice) wins, then the file's own, then the frame's
    /// min–max. Colour: samples scaled from their stored depth to 8 bits.
    /// </summary>
    public static RgbImage ToRgb(DicomFrame frame, IntensityWindow? window = null)
    {
        if (frame.Samples == 3)
        {
            var image = new RgbImage(frame.Width, frame.Height);
            var pixels = image.Pixels;
            double scale = 255.0 / ((1 << frame.BitsStored) - 1);
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Clamp(Math.Round(frame.Values[i] * scale, MidpointRounding.AwayFromZero), 0, 255);
            return image;
        }
        return Windowed(frame.Values, frame.Width, frame.Height, window ?? frame.FileWindow ?? IntensityWindow.MinMax(frame.Values), frame.Monochrome1);
    }

    /// <summary>Grayscale values at full precision through a window to 8-bit gray RGB (inverted for MONOCHROME1).</summary>
    public static RgbImage Windowed(ReadOnlySpan<float> values, int width, int height, IntensityWindow window, bool invert = false)
    {
        var image = new RgbImage(width, height);
        var pixels = image.Pixels;
        for (int p = 0; p < values.Length; p++)
        {
            double level = Math.Round(window.Apply(values[p]), MidpointRounding.AwayFromZero);
            byte v = (byte)(invert ? 255 - level : level);
            pixels[3 * p] = pixels[3 * p + 1] = pixels[3 * p + 2] = v;
        }
        return image;
    }
}
