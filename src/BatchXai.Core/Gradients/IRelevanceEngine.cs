namespace BatchXai.Core.Gradients;

/// <summary>
/// The rule-modified backward passes of LRP and DeepLIFT, run by the same backward graphs as the
/// gradients (README, "Methods": lrp, deeplift). An <see cref="IGradientEngine"/> that can build
/// them implements this too.
/// </summary>
public interface IRelevanceEngine
{
    /// <summary>
    /// LRP rules (<see cref="GradientRule.LrpEpsilon"/>, <see cref="GradientRule.LrpAlphaBeta"/>,
    /// <see cref="GradientRule.LrpComposite"/>): the relevance of every input element, in the
    /// model's input layout, for the relevance seed · S entering at the logits.
    /// <see cref="GradientRule.DeepLiftRescale"/>: the rescale multipliers m (so the contribution is
    /// (x − x')·m), each input paired with its reference, both run in one batch.
    /// </summary>
    /// <param name="inputs">count samples, model-input layout, one after another.</param>
    /// <param name="seeds">count × N weights on the logits (one-hot for a class).</param>
    RelevanceResult Relevance(ReadOnlyMemory<float> inputs, int count, ReadOnlySpan<float> seeds, RelevanceSettings settings);
}

/// <summary>What a relevance pass needs beyond the inputs.</summary>
/// <param name="Rule">One of the LRP rules or <see cref="GradientRule.DeepLiftRescale"/>.</param>
/// <param name="Epsilon">LRP's stabiliser: ε of the ε rule, added to the z⁺/z⁻ (and zβ) denominators of the other rules.</param>
/// <param name="Alpha">α of the αβ rule (β = α − 1).</param>
/// <param name="Low">The lowest valid input, one sample's worth (the box rule's l); composite rule only.</param>
/// <param name="High">The highest valid input, one sample's worth (the box rule's h); composite rule only.</param>
/// <param name="References">DeepLIFT's reference inputs, one per input (count samples).</param>
public sealed record RelevanceSettings(GradientRule Rule, double Epsilon = RelevanceSettings.DefaultEpsilon, double Alpha = 2,
    float[]? Low = null, float[]? High = null, ReadOnlyMemory<float> References = default)
{
    public const double DefaultEpsilon = 1e-6;

    public bool IsLrp => Rule is GradientRule.LrpEpsilon or GradientRule.LrpAlphaBeta or GradientRule.LrpComposite;
}

/// <summary>Logits of the inputs (and, for DeepLIFT, of the references) and the per-element relevance or multipliers.</summary>
public sealed record RelevanceResult(float[] Logits, float[] Relevance, float[]? ReferenceLogits = null);
