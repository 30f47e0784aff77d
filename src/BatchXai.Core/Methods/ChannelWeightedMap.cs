using System.Numerics.Tensors;
using BatchXai.Core.Gradients;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// The Grad-CAM family's shape: one backward pass gives the target layer's activations A and
/// gradients ∂S_c/∂A; a method turns each channel's (A_k, ∂S_c/∂A_k) into a weight w_k, and the
/// map is ReLU(Σ_k w_k A_k) at the target layer's resolution.
/// </summary>
public static class ChannelWeightedMap
{
    /// <summary>w_k from one channel's activations and gradients (u·v values each).</summary>
    public delegate float ChannelWeight(ReadOnlySpan<float> activations, ReadOnlySpan<float> gradients);

    public static ExplanationMap[] Explain(ExplanationRequest request, string method, ChannelWeight weight)
    {
        var (inputs, geometry, engine) = request.RequireGradients(method);
        var result = engine.Compute(inputs.AsMemory(0, request.Batch * geometry.SampleSize), request.Batch,
            request.TargetSeeds(0, request.Batch), GradientRule.Exact, withTargetLayer: true);
        var features = result.Features ?? throw new InvalidOperationException($"{method}: the gradient engine returned no target layer");
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
                var ak = a.Slice(k * spatial, spatial);
                TensorPrimitives.MultiplyAdd(ak, weight(ak, g.Slice(k * spatial, spatial)), map.Values, map.Values);
            }
            TensorPrimitives.Max(map.Values, 0f, map.Values);
            maps[b] = map;
        }
        return maps;
    }
}
