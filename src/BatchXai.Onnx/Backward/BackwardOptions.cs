namespace BatchXai.Onnx.Backward;

/// <summary>What <see cref="BackwardGraphBuilder.Build"/> differentiates, with respect to what.</summary>
/// <param name="InputName">The graph input (the image tensor) to differentiate with respect to.</param>
/// <param name="LogitsName">The tensor the backward pass starts from: the [batch, N] scores S (the
/// builder differentiates seed · S), or — with <see cref="SeedSignal.RectifiedActivations"/> — an
/// intermediate tensor such as a fully convolutional net's class-response maps.</param>
/// <param name="TargetLayer">An intermediate tensor (e.g. the last feature maps) whose
/// activations and gradient are also returned; null for the input gradient only.</param>
/// <param name="Rule">How the signal passes through ReLUs.</param>
/// <param name="Seed">What the seed input means and so which signal enters at <paramref name="LogitsName"/>.</param>
public sealed record BackwardOptions(
    string InputName,
    string LogitsName,
    string? TargetLayer = null,
    GradientRule Rule = GradientRule.Exact,
    SeedSignal Seed = SeedSignal.Gradient);

/// <summary>The backward signal the builder injects at the seeded tensor T.</summary>
public enum SeedSignal
{
    /// <summary>The seed is shaped like T and is the signal itself: the pass computes ∂(seed · T).</summary>
    Gradient,

    /// <summary>
    /// The seed is [batch, C], one weight per channel of T (rank ≥ 2), and the signal is T's own
    /// positive part with each channel scaled by its weight: ReLU(T) ⊙ seed. With the deconvnet
    /// rule this is Zeiler and Fergus's projection of a layer's activations back to the input —
    /// with a one-hot seed, one channel's (e.g. one class kernel's) response (CLEAR, eq. 2).
    /// </summary>
    RectifiedActivations,
}
