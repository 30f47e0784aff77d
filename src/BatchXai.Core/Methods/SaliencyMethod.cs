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

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize;
        var result = engine.Compute(inputs.AsMemory(0, request.Batch * size), request.Batch, request.TargetSeeds(0, request.Batch), GradientRule.Exact, withTargetLayer: false);
        var maps = new ExplanationMap[request.Batch];
        var product = new float[size];
        for (int b = 0; b < request.Batch; b++)
        {
            var gradient = result.InputGradients.AsSpan(b * size, size);
            if (timesInput)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, inputs.AsSpan(b * size, size), product);
                maps[b] = geometry.ToPixelMap(product, (acc, v) => acc + v, 0f);
            }
            else
            {
                maps[b] = geometry.ToPixelMap(gradient, (acc, v) => Math.Max(acc, Math.Abs(v)), 0f);
            }
        }
        return maps;
    }
}
