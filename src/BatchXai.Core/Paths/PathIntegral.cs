using BatchXai.Core.Gradients;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;

namespace BatchXai.Core.Paths;

/// <summary>What a path integral gives for one image: per-element attribution and its completeness delta.</summary>
public sealed record PathAttribution(float[] Attribution, double ScoreGap, double CompletenessDelta);

/// <summary>
/// The shared core of Integrated Gradients and Blur IG: attribution_i ≈ Σ_n w_n ∂S_c/∂x_i(γ(α_n)) γ_i'(α_n)
/// with the quadrature's nodes and weights. All nodes of an image — plus the path's two ends
/// when the rule has no node there, for S_c(γ(1)) − S_c(γ(0)) — go through the engine in one batch.
/// </summary>
public static class PathIntegral
{
    /// <summary>
    /// One map per image: the path <paramref name="pathFor"/> builds from the image's input, integrated,
    /// shown as the channel sum (signed) with its completeness delta.
    /// </summary>
    public static ExplanationMap[] Explain(ExplanationRequest request, string method, Quadrature quadrature, Func<float[], InputGeometry, IAttributionPath> pathFor)
    {
        var (inputs, geometry, engine) = request.RequireGradients(method);
        int size = geometry.SampleSize;
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var path = pathFor(inputs.AsSpan(b * size, size).ToArray(), geometry);
            var result = Integrate(engine, path, quadrature, request.TargetClasses[b], request.Head.Classes, size);
            maps[b] = geometry.ToPixelMap(result.Attribution, ChannelCombine.Sum, 0f);
            maps[b].CompletenessDelta = result.CompletenessDelta;
        }
        return maps;
    }

    public static PathAttribution Integrate(IGradientEngine engine, IAttributionPath path, Quadrature quadrature, int targetClass, int classes, int size)
    {
        var alphas = quadrature.Nodes.ToList();
        int start = IndexOrAppend(alphas, 0.0), end = IndexOrAppend(alphas, 1.0);
        int points = alphas.Count;
        var batch = new float[points * size];
        for (int i = 0; i < points; i++) path.Point(alphas[i], batch.AsSpan(i * size, size));
        var seeds = new float[points * classes];
        for (int i = 0; i < points; i++) seeds[i * classes + targetClass] = 1f;
        var result = engine.Compute(batch, points, seeds, GradientRule.Exact, withTargetLayer: false);

        // The batch buffer is free again: reuse a slice of it for the velocity.
        var attribution = new float[size];
        var velocity = batch.AsSpan(0, size);
        for (int i = 0; i < quadrature.Count; i++)
        {
            path.Velocity(alphas[i], velocity);
            var gradient = result.InputGradients.AsSpan(i * size, size);
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, velocity, gradient);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, (float)quadrature.Weights[i], attribution, attribution);
        }
        double sum = 0;
        foreach (float a in attribution) sum += a;
        double gap = (double)result.Logits[end * classes + targetClass] - result.Logits[start * classes + targetClass];
        return new PathAttribution(attribution, gap, sum - gap);
    }

    private static int IndexOrAppend(List<double> alphas, double alpha)
    {
        int index = alphas.IndexOf(alpha);
        if (index >= 0) return index;
        alphas.Add(alpha);
        return alphas.Count - 1;
    }
}
