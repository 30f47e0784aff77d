using BatchXai.Core.Gradients;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;

namespace BatchXai.Core.Paths;

/// <summary>What a path integral gives for one image: per-element attribution and its completeness delta.</summary>
public sealed record PathAttribution(float[] Attribution, double ScoreGap, double CompletenessDelta);

/// <summary>
/// The shared core of Integrated Gradients and Blur IG: attribution_i ≈ Σ_n w_n ∂S_c/∂x_i(γ(α_n)) γ_i'(α_n)
/// with the quadrature's nodes and weights. Every node of an image — plus the path's two ends
/// when the rule has no node there, for S_c(γ(1)) − S_c(γ(0)) — goes through the engine in one
/// call, and so do the nodes of several images together (up to <see cref="MaxPointsPerCall"/>
/// inputs' worth): one image's 33 points would leave the engine a last chunk of one or two
/// samples, which ONNX Runtime runs at a fraction of a full batch's per-sample rate.
/// </summary>
public static class PathIntegral
{
    /// <summary>Bytes of path points (and as many of gradients) held at once across images.</summary>
    public const long MaxPointBytes = 64L << 20;

    /// <summary>How many path points of <paramref name="size"/> floats go to the engine in one call across images.</summary>
    public static int MaxPointsPerCall(int size) => (int)Math.Max(1, MaxPointBytes / (size * (long)sizeof(float)));

    /// <summary>
    /// One map per image: the path <paramref name="pathFor"/> builds from the image's input, integrated,
    /// shown as the channel sum (signed) with its completeness delta.
    /// </summary>
    public static ExplanationMap[] Explain(ExplanationRequest request, string method, Quadrature quadrature, Func<float[], InputGeometry, IAttributionPath> pathFor)
    {
        var (inputs, geometry, engine) = request.RequireGradients(method);
        int size = geometry.SampleSize;
        var maps = new ExplanationMap[request.Batch];
        int points = Alphas(quadrature, out _, out _).Count;
        int imagesPerCall = Math.Clamp(MaxPointsPerCall(size) / points, 1, Math.Max(1, request.Batch));
        for (int first = 0; first < request.Batch; first += imagesPerCall)
        {
            int count = Math.Min(imagesPerCall, request.Batch - first);
            var paths = Enumerable.Range(first, count).Select(b => pathFor(inputs.AsSpan(b * size, size).ToArray(), geometry)).ToArray();
            var results = Integrate(engine, paths, quadrature, request.TargetClasses.AsSpan(first, count).ToArray(), request.Head.Classes, size);
            for (int j = 0; j < count; j++)
            {
                maps[first + j] = geometry.ToPixelMap(results[j].Attribution, ChannelCombine.Sum, 0f);
                maps[first + j].CompletenessDelta = results[j].CompletenessDelta;
            }
        }
        return maps;
    }

    public static PathAttribution Integrate(IGradientEngine engine, IAttributionPath path, Quadrature quadrature, int targetClass, int classes, int size) =>
        Integrate(engine, [path], quadrature, [targetClass], classes, size)[0];

    /// <summary>Several images' paths integrated with one engine call (their points one image after another).</summary>
    public static PathAttribution[] Integrate(IGradientEngine engine, IAttributionPath[] paths, Quadrature quadrature, int[] targetClasses, int classes, int size)
    {
        var alphas = Alphas(quadrature, out int start, out int end);
        int points = alphas.Count;
        int rows = paths.Length * points;
        var batch = new float[rows * size];
        var seeds = new float[rows * classes];
        for (int p = 0; p < paths.Length; p++)
            for (int i = 0; i < points; i++)
            {
                int row = p * points + i;
                paths[p].Point(alphas[i], batch.AsSpan(row * size, size));
                seeds[row * classes + targetClasses[p]] = 1f;
            }
        var result = engine.Compute(batch, rows, seeds, GradientRule.Exact, withTargetLayer: false);

        // The batch buffer is free again: reuse a slice of it for the velocity.
        var velocity = batch.AsSpan(0, size);
        var attributions = new PathAttribution[paths.Length];
        for (int p = 0; p < paths.Length; p++)
        {
            var attribution = new float[size];
            for (int i = 0; i < quadrature.Count; i++)
            {
                paths[p].Velocity(alphas[i], velocity);
                var gradient = result.InputGradients.AsSpan((p * points + i) * size, size);
                System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, velocity, gradient);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, (float)quadrature.Weights[i], attribution, attribution);
            }
            double sum = 0;
            foreach (float a in attribution) sum += a;
            int c = targetClasses[p];
            double gap = (double)result.Logits[(p * points + end) * classes + c] - result.Logits[(p * points + start) * classes + c];
            attributions[p] = new PathAttribution(attribution, gap, sum - gap);
        }
        return attributions;
    }

    /// <summary>The quadrature's nodes, plus 0 and 1 appended where the rule has no node there (the path's ends, for the score gap).</summary>
    private static List<double> Alphas(Quadrature quadrature, out int start, out int end)
    {
        var alphas = quadrature.Nodes.ToList();
        start = IndexOrAppend(alphas, 0.0);
        end = IndexOrAppend(alphas, 1.0);
        return alphas;
    }

    private static int IndexOrAppend(List<double> alphas, double alpha)
    {
        int index = alphas.IndexOf(alpha);
        if (index >= 0) return index;
        alphas.Add(alpha);
        return alphas.Count - 1;
    }
}
