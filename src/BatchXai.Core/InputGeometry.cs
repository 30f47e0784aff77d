namespace BatchXai.Core;

/// <summary>
/// The model input as the gradient methods see it: C×H×W per sample in NCHW or NHWC order, and
/// the value a black pixel takes after the model's normalisation (the default IG baseline).
/// </summary>
public sealed record InputGeometry(int Channels, int Height, int Width, bool ChannelsLast, float[] BlackPixel)
{
    public int SampleSize => Channels * Height * Width;

    public int IndexOf(int channel, int y, int x) =>
        ChannelsLast ? (y * Width + x) * Channels + channel : (channel * Height + y) * Width + x;

    /// <summary>A per-pixel map from a per-element attribution, combining channels with <paramref name="combine"/>.</summary>
    public Maps.ExplanationMap ToPixelMap(ReadOnlySpan<float> sample, Func<float, float, float> combine, float seed)
    {
        var map = new Maps.ExplanationMap(Height, Width);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                float acc = seed;
                for (int c = 0; c < Channels; c++) acc = combine(acc, sample[IndexOf(c, y, x)]);
                map[y, x] = acc;
            }
        return map;
    }

    /// <summary>A sample filled with the black-pixel value (all-zero pixels, then the model's normalisation).</summary>
    public float[] BlackImage()
    {
        var image = new float[SampleSize];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    image[IndexOf(c, y, x)] = BlackPixel[c];
        return image;
    }
}
