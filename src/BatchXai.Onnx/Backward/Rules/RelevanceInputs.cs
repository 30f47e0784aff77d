namespace BatchXai.Onnx.Backward.Rules;

/// <summary>The extra graph inputs of the LRP backward graphs (DeepLIFT's need none: references ride in the batch's second half).</summary>
public static class RelevanceInputs
{
    /// <summary>[2] = (ε, α), every LRP rule.</summary>
    public const string Parameters = "batchxai_rule_parameters";

    /// <summary>The box rule's lowest valid input, one sample's worth ([1, …input dims]); composite rule only.</summary>
    public const string Low = "batchxai_input_low";

    /// <summary>The box rule's highest valid input, like <see cref="Low"/>.</summary>
    public const string High = "batchxai_input_high";

    public static bool IsLrp(GradientRule rule) => rule is GradientRule.LrpEpsilon or GradientRule.LrpAlphaBeta or GradientRule.LrpComposite;

    /// <summary>True for the rules whose graphs pair each input with its reference (batch = inputs then references).</summary>
    public static bool IsPaired(GradientRule rule) => rule == GradientRule.DeepLiftRescale;
}
