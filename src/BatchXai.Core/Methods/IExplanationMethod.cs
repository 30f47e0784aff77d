using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// The shared shape of every explanation method (as Captum's attribution classes): given what a
/// batch's forward pass produced, return one map per image for its target class.
/// Adding a method means one class implementing this and one line in <see cref="MethodRegistry"/>.
/// </summary>
public interface IExplanationMethod
{
    /// <summary>The name users select it by, e.g. "crm" in <c>--methods crm,cam</c>.</summary>
    string Name { get; }

    /// <summary>True for methods that need backward passes through the model (an <see cref="Gradients.IGradientEngine"/>).</summary>
    bool NeedsGradients => false;

    /// <summary>True for methods that back-project class responses (CLEAR: an <see cref="Gradients.IClassResponseProjector"/>).</summary>
    bool NeedsClassResponses => false;

    /// <summary>The backward-pass rules it uses, so a worker can build those graphs before touching an image.</summary>
    IReadOnlyList<Gradients.GradientRule> GradientRules => NeedsGradients ? [Gradients.GradientRule.Exact] : [];

    /// <summary>Why this method cannot explain a model with this head, or null when it can (most methods explain any model).</summary>
    string? WhyUnsupported(Heads.HeadKind head) => null;

    /// <summary>One map per image of the batch, in batch order.</summary>
    ExplanationMap[] Explain(ExplanationRequest request);
}
