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
        var image = new RgbImage(frame.Width, frame.Height);
        var pixels = image.Pixels;
        if (frame.Samples == 3)
        {
            double scale = 255.0 / ((1 << frame.BitsStored) - 1);
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Clamp(Math.Round(frame.Values[i] * scale, MidpointRounding.AwayFromZero), 0, 255);
            return image;
        }
        var w = window ?? frame.FileWindow ?? IntensityWindow.MinMax(frame.Values);
        for (int p = 0; p < frame.Values.Length; p++)
        {
            double level = Math.Round(w.Apply(frame.Values[p]), MidpointRounding.AwayFromZero);
            byte v = (byte)(frame.Monochrome1 ? 255 - level : level);
            pixels[3 * p] = pixels[3 * p + 1] = pixels[3 * p + 2] = v;
        }
        return image;
    }
}
