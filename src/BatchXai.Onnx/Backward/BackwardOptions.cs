namespace BatchXai.Onnx.Backward;

/// <summary>What <see cref="BackwardGraphBuilder.Build"/> differentiates, with respect to what.</summary>
/// <param name="InputName">The graph input (the image tensor) to differentiate with respect to.</param>
/// <param name="LogitsName">The [batch, N] scores S; the builder differentiates seed · S.</param>
/// <param name="TargetLayer">An intermediate tensor (e.g. the last feature maps) whose
/// activations and gradient are also returned; null for the input gradient only.</param>
/// <param name="Rule">How the signal passes through ReLUs.</param>
public sealed record BackwardOptions(
    string InputName,
    string LogitsName,
    string? TargetLayer = null,
    GradientRule Rule = GradientRule.Exact);
