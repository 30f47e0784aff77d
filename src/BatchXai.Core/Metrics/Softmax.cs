namespace BatchXai.Core.Metrics;

/// <summary>
/// p_c = exp(S_c − max S) / Σ_k exp(S_k − max S): softmax with the maximum subtracted, so the large
/// logits of out-of-distribution perturbed images (half-deleted photos) do not overflow to ∞/∞ = NaN
/// (System.Numerics.Tensors' SoftMax exponentiates the raw logits).
/// </summary>
public static class Softmax
{
    public static double Probability(ReadOnlySpan<float> logits, int c)
    {
        double max = double.NegativeInfinity;
        foreach (float s in logits) max = Math.Max(max, s);
        double sum = 0;
        foreach (float s in logits) sum += Math.Exp(s - max);
        return Math.Exp(logits[c] - max) / sum;
    }

    /// <summary>Every class's probability, into <paramref name="destination"/>.</summary>
    public static void Into(ReadOnlySpan<float> logits, Span<float> destination)
    {
        double max = double.NegativeInfinity;
        foreach (float s in logits) max = Math.Max(max, s);
        double sum = 0;
        foreach (float s in logits) sum += Math.Exp(s - max);
        for (int k = 0; k < logits.Length; k++) destination[k] = (float)(Math.Exp(logits[k] - max) / sum);
    }
}
