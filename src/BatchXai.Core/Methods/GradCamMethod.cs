using BatchXai.Core.Gradients;
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

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        var result = engine.Compute(inputs.AsMemory(0, request.Batch * geometry.SampleSize), request.Batch,
            request.TargetSeeds(0, request.Batch), GradientRule.Exact, withTargetLayer: true);
        var features = result.Features ?? throw new InvalidOperationException("gradcam: the gradient engine returned no target layer");
        var gradients = result.FeatureGradients!;
        int spatial = features.SpatialSize;

        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var a = features.Sample(b);
            var g = gradients.Sample(b);
            var map = new ExplanationMap(features.Height, features.Width);
            for (int k = 0; k < features.Channels; k++)
            {
                float alpha = System.Numerics.Tensors.TensorPrimitives.Sum(g.Slice(k * spatial, spatial)) / spatial;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(a.Slice(k * spatial, spatial), alpha, map.Values, map.Values);
            }
            System.Numerics.Tensors.TensorPrimitives.Max(map.Values, 0f, map.Values);
            maps[b] = map;
        }
        return maps;
    }
}
