namespace BatchXai.Core;

/// <summary>
/// Target-layer activations A ∈ R^{B×K×U×V} for a batch, contiguous in NCHW order (what an
/// exported CNN's last convolutional block produces).
/// </summary>
public sealed class FeatureBatch
{
    public FeatureBatch(int batch, int channels, int height, int width, float[] values)
    {
        if (values.Length < (long)batch * channels * height * width)
            throw new ArgumentException($"feature buffer holds {values.Length} values, {batch}x{channels}x{height}x{width} needs more", nameof(values));
        Batch = batch; Channels = channels; Height = height; Width = width; Values = values;
    }

    public int Batch { get; }
    /// <summary>K, the number of feature maps.</summary>
    public int Channels { get; }
    /// <summary>u, feature-map rows.</summary>
    public int Height { get; }
    /// <summary>v, feature-map columns.</summary>
    public int Width { get; }
    public float[] Values { get; }

    public int SpatialSize => Height * Width;
    public int SampleSize => Channels * Height * Width;

    public ReadOnlySpan<float> Sample(int b) => Values.AsSpan(b * SampleSize, SampleSize);
}
