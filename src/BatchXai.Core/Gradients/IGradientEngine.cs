namespace BatchXai.Core.Gradients;

/// <summary>How the backward pass treats ReLUs (README, "Methods": the paragraph on gradients): the exact derivative or a visualisation rule.</summary>
public enum GradientRule
{
    /// <summary>The true derivative: backward signal masked where the forward input was ≤ 0.</summary>
    Exact,
    /// <summary>Zeiler–Fergus deconvnet: ReLU applied to the backward signal, forward mask ignored.</summary>
    Deconvnet,
    /// <summary>Guided backpropagation: forward mask and ReLU on the backward signal.</summary>
    GuidedBackprop,
    /// <summary>LRP-ε at Conv/Gemm/MatMul (see <see cref="IRelevanceEngine"/>): the pass returns input relevance, not a gradient.</summary>
    LrpEpsilon,
    /// <summary>LRP-αβ at Conv/Gemm/MatMul (β = α − 1): the pass returns input relevance.</summary>
    LrpAlphaBeta,
    /// <summary>LRP composite: zβ (box) at the first layer, z⁺ at the other convolutions, ε at dense layers: the pass returns input relevance.</summary>
    LrpComposite,
    /// <summary>DeepLIFT rescale multipliers for input/reference pairs (see <see cref="IRelevanceEngine"/>).</summary>
    DeepLiftRescale,
}

/// <summary>
/// Reverse-mode derivatives of seed·S (S the logits, one seed N-vector per sample) for a batch
/// of model inputs — the one primitive every gradient method is built on. Implementations run
/// the whole batch in one pass; callers batch interpolation steps and noise samples into it.
/// </summary>
public interface IGradientEngine
{
    /// <param name="inputs">count samples, model-input layout, one after another.</param>
    /// <param name="seeds">count × N weights on the logits (one-hot for a class).</param>
    /// <param name="withTargetLayer">also return the target layer's activations and gradient.</param>
    GradientResult Compute(ReadOnlyMemory<float> inputs, int count, ReadOnlySpan<float> seeds, GradientRule rule, bool withTargetLayer);
}

/// <summary>What one backward pass returns: logits, ∂(seed·S)/∂x, and optionally A and ∂(seed·S)/∂A.</summary>
public sealed record GradientResult(float[] Logits, float[] InputGradients, FeatureBatch? Features, FeatureBatch? FeatureGradients);
