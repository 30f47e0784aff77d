namespace BatchXai.Core.Heads;

/// <summary>
/// A GAP → linear classifier head: S_c = Σ_k W[c,k]·mean_{l,m} A_k(l,m) + Bias[c].
/// W is N×K, row-major (one row per class).
/// </summary>
public sealed class LinearHead
{
    public LinearHead(int classes, int channels, float[] weights, float[] bias)
    {
        if (weights.Length != classes * channels) throw new ArgumentException($"head weights need {classes}x{channels} values, got {weights.Length}", nameof(weights));
        if (bias.Length != classes) throw new ArgumentException($"head bias needs {classes} values, got {bias.Length}", nameof(bias));
        Classes = classes; Channels = channels; Weights = weights; Bias = bias;
    }

    public int Classes { get; }
    public int Channels { get; }
    public float[] Weights { get; }
    public float[] Bias { get; }

    public ReadOnlySpan<float> ClassWeights(int c) => Weights.AsSpan(c * Channels, Channels);

    /// <summary>
    /// Class activation map of one sample for class c: CAM_c(l,m) = Σ_k W[c,k]·A_k(l,m),
    /// written into <paramref name="destination"/> (u·v values).
    /// </summary>
    public void ClassActivation(ReadOnlySpan<float> sample, int spatial, int c, Span<float> destination)
    {
        destination.Clear();
        var w = ClassWeights(c);
        for (int k = 0; k < Channels; k++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(sample.Slice(k * spatial, spatial), w[k], destination, destination);
    }
}
