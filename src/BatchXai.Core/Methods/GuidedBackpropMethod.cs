using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015): the input gradient of S_c with every ReLU
/// passing only positive backward signal where its forward input was positive; shown like
/// saliency (max over channels of |·|). One backward pass per batch on the guided-rule graph.
/// </summary>
public sealed class GuidedBackpropMethod : IExplanationMethod
{
    public string Name => "guidedbp";

    public bool NeedsGradients => true;

    public IReadOnlyList<GradientRule> GradientRules => [GradientRule.GuidedBackprop];

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var gradients = request.TargetInputGradients(Name, GradientRule.GuidedBackprop);
        var geometry = request.Geometry!;
        int size = geometry.SampleSize;
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++) maps[b] = geometry.ToPixelMap(gradients.AsSpan(b * size, size), ChannelCombine.MaxAbs, 0f);
        return maps;
    }
}
