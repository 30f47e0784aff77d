using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Input-gradient maps: vanilla saliency (Simonyan et al. 2013, max over channels of |∂S_c/∂x|)
/// and gradient × input (Σ over channels of x ⊙ ∂S_c/∂x, signed). One backward pass per batch.
/// </summary>
public sealed class SaliencyMethod(bool timesInput = false) : IExplanationMethod
{
    public string Name => timesInput ? "gradxinput" : "saliency";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var gradients = request.TargetInputGradients(Name, GradientRule.Exact);
        var (inputs, geometry, _) = request.RequireGradients(Name);
        int size = geometry.SampleSize;
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var gradient = gradients.AsSpan(b * size, size);
            if (timesInput) System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, inputs.AsSpan(b * size, size), gradient);
            maps[b] = geometry.ToPixelMap(gradient, timesInput ? ChannelCombine.Sum : ChannelCombine.MaxAbs, 0f);
        }
        return maps;
    }
}
