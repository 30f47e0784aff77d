namespace BatchXai.Core.Metrics;

/// <summary>
/// The probability of the explained class from a sample's logits, as the head defines it: softmax over the classes on a
/// single-label head; the finding's own sigmoid σ(S_f) on a multi-label head, where each finding is a classifier of its
/// own and the other findings' scores do not enter.
/// </summary>
public static class ClassProbability
{
    public static double Of(ReadOnlySpan<float> logits, int c, bool multiLabel) =>
        multiLabel ? Sigmoid(logits[c]) : Softmax.Probability(logits, c);

    /// <summary>1 / (1 + e^−s), written so that neither tail overflows.</summary>
    public static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));
}
