using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018): w_k = Σ_{ij} α_k^{ij} ReLU(∂S_c/∂A_k^{ij}) with, for the
/// exponential score Y = exp(S_c) and a piecewise-linear network (second derivatives of S_c
/// vanish), the closed form α_k^{ij} = g_{ij}² / (2 g_{ij}² + Σ_{ab} A_k^{ab} · g_{ij}³), g = ∂S_c/∂A_k
/// (paper eq. 19; exp(S_c) cancels up to a positive scale). α is 0 where the denominator is.
/// map = ReLU(Σ_k w_k A_k).
/// </summary>
public sealed class GradCamPlusPlusMethod : IExplanationMethod
{
    public string Name => "gradcam++";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request) => ChannelWeightedMap.Explain(request, Name, Weight);

    public static float Weight(ReadOnlySpan<float> activations, ReadOnlySpan<float> gradients)
    {
        double activationSum = System.Numerics.Tensors.TensorPrimitives.Sum(activations), weight = 0;
        foreach (float g in gradients)
        {
            if (g <= 0) continue; // ReLU(g) = 0: α does not matter
            double g2 = (double)g * g, denominator = 2 * g2 + activationSum * g2 * g;
            if (denominator != 0) weight += g2 / denominator * g;
        }
        return (float)weight;
    }
}
