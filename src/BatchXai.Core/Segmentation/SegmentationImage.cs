namespace BatchXai.Core.Segmentation;

/// <summary>
/// The image a segmenter sees: H×W×C doubles (channels last), made from a model-input sample so that
/// segmentation works in the space the model was fed, whatever its normalisation or layout.
/// </summary>
public sealed class SegmentationImage(int height, int width, int channels, double[] pixels)
{
    public int Height => height;
    public int Width => width;
    public int Channels => channels;
    /// <summary>(y·W + x)·C + c.</summary>
    public double[] Pixels => pixels;

    /// <summary>
    /// Each channel mapped from the model's black…white values to [0, <paramref name="top"/>]: equal
    /// colour steps weigh the same whatever the model's mean/std (SLIC's colour distance).
    /// </summary>
    public static SegmentationImage FromInput(ReadOnlySpan<float> sample, InputGeometry geometry, double top = 1)
    {
        var pixels = new double[geometry.SampleSize];
        int channels = geometry.Channels;
        for (int c = 0; c < channels; c++)
        {
            double black = geometry.BlackPixel[c], range = geometry.Range(c);
            for (int y = 0; y < geometry.Height; y++)
                for (int x = 0; x < geometry.Width; x++)
                    pixels[(y * geometry.Width + x) * channels + c] = (sample[geometry.IndexOf(c, y, x)] - black) / range * top;
        }
        return new SegmentationImage(geometry.Height, geometry.Width, channels, pixels);
    }

    /// <summary>
    /// The whole image min–max scaled to [low, high] (PAIR saliency's XRAI normalises to [−1, 1] before
    /// Felzenszwalb, which makes its scale values mean the same on every image). A constant image maps to low.
    /// </summary>
    public SegmentationImage Rescaled(double low, double high)
    {
        double min = pixels.Min(), max = pixels.Max();
        var scaled = new double[pixels.Length];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = max > min ? (pixels[i] - min) / (max - min) * (high - low) + low : low;
        return new SegmentationImage(height, width, channels, scaled);
    }
}
