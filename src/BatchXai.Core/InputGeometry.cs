namespace BatchXai.Core;

/// <summary>
/// The model input as the gradient methods see it: C×H×W per sample in NCHW or NHWC order, and
/// the values a black and a white pixel take after the model's normalisation (the default IG
/// baseline, and the input range that noise levels are fractions of).
/// </summary>
public sealed record InputGeometry(int Channels, int Height, int Width, bool ChannelsLast, float[] BlackPixel, float[] WhitePixel)
{
    public int SampleSize => Channels * Height * Width;

    public int PlaneSize => Height * Width;

    public int IndexOf(int channel, int y, int x) =>
        ChannelsLast ? (y * Width + x) * Channels + channel : (channel * Height + y) * Width + x;

    /// <summary>White minus black for a channel: the span of valid values in model-input space.</summary>
    public float Range(int channel) => WhitePixel[channel] - BlackPixel[channel];

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

    /// <summary>Copies channel <paramref name="channel"/> of a sample into a contiguous H×W plane.</summary>
    public void ReadPlane(ReadOnlySpan<float> sample, int channel, Span<float> plane)
    {
        if (!ChannelsLast) { sample.Slice(channel * PlaneSize, PlaneSize).CopyTo(plane); return; }
        for (int p = 0; p < PlaneSize; p++) plane[p] = sample[p * Channels + channel];
    }

    /// <summary>Writes a contiguous H×W plane back as channel <paramref name="channel"/> of a sample.</summary>
    public void WritePlane(ReadOnlySpan<float> plane, int channel, Span<float> sample)
    {
        if (!ChannelsLast) { plane.CopyTo(sample.Slice(channel * PlaneSize, PlaneSize)); return; }
        for (int p = 0; p < PlaneSize; p++) sample[p * Channels + channel] = plane[p];
    }
}
