using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017), any CNN: α_k = mean_{l,m} ∂S_c/∂A_k(l,m),
/// map = ReLU(Σ_k α_k A_k), at the target layer's resolution.
/// </summary>
public sealed class GradCamMethod : IExplanationMethod
{
    public string Name => "gradcam";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request) =>
        ChannelWeightedMap.Explain(request, Name, (_, gradients) => System.Numerics.Tensors.TensorPrimitives.Sum(gradients) / gradients.Length);
}
