using System.Numerics.Tensors;
using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Options;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>Where GradientSHAP draws its baselines from.</summary>
public enum ShapBaselines
{
    /// <summary>The black image (one baseline: GradientSHAP is then a Monte-Carlo IG).</summary>
    Black,
    /// <summary>The image under the Gaussian blur of --ig-blur-sigma.</summary>
    Blur,
    /// <summary>The other images of the batch (black when the batch has one image).</summary>
    Batch,
}

/// <summary>
/// GradientSHAP / expected gradients (Lundberg and Lee 2017; Erion et al. 2021; captum's
/// GradientShap): for n samples, a baseline x' drawn from the baseline set, the input with
/// Gaussian noise x̃ = x + N(0, (σ·range_c)²), one uniform point α on the straight path, and
/// ∂S_c/∂x at x' + α(x̃ − x') times (x̃ − x'); the attribution is their mean. All n points of an
/// image go through the engine in one batch; the draws are seeded by the image, so a redelivered
/// batch writes the same map. The map is the channel sum (signed).
/// </summary>
public sealed class GradientShapMethod(int samples = GradientShapMethod.DefaultSamples, ShapBaselines baselines = ShapBaselines.Black,
    double noiseFraction = GradientShapMethod.DefaultNoise, double blurSigma = Baseline.DefaultBlurSigma) : IExplanationMethod
{
    public const int DefaultSamples = 64;
    public const double DefaultNoise = 0.05;

    public static readonly IntOption Samples = new("gradshap-samples", "(baseline, noise, path point) draws per image", DefaultSamples, 1, 4096);
    public static readonly ChoiceOption<ShapBaselines> BaselineSet = new("gradshap-baselines", "baselines drawn from: black, blur (--ig-blur-sigma) or the other images of the batch", ShapBaselines.Black);
    public static readonly NumberOption Sigma = new("gradshap-sigma", "input noise sigma as a fraction of each channel's input range", DefaultNoise, 0, 10);

    public static readonly MethodDescriptor Descriptor = new("gradshap", "GradientSHAP / expected gradients; costs samples gradient passes per image",
        [Samples, BaselineSet, Sigma, PathOptions.BlurSigma], o => new GradientShapMethod(o.Get(Samples), o.Get(BaselineSet), o.Get(Sigma), o.Get(PathOptions.BlurSigma)))
        { Signed = true };

    public string Name => "gradshap";

    public bool NeedsGradients => true;

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize, classes = request.Head.Classes;
        var points = new float[samples * size];
        var steps = new float[samples * size];
        var attribution = new float[size];
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            Draw(inputs, b, request.Batch, geometry, points, steps);
            var seeds = new float[samples * classes];
            for (int s = 0; s < samples; s++) seeds[s * classes + request.TargetClasses[b]] = 1f;
            var gradients = engine.Compute(points, samples, seeds, GradientRule.Exact, withTargetLayer: false).InputGradients;
            TensorPrimitives.Multiply(gradients, steps, gradients);
            Array.Clear(attribution);
            for (int s = 0; s < samples; s++) TensorPrimitives.Add(attribution, gradients.AsSpan(s * size, size), attribution);
            TensorPrimitives.Multiply(attribution, 1f / samples, attribution);
            maps[b] = geometry.ToPixelMap(attribution, ChannelCombine.Sum, 0f);
        }
        return maps;
    }

    /// <summary>
    /// For image <paramref name="b"/>: the n path points x' + α(x̃ − x') into <paramref name="points"/> and
    /// the n steps x̃ − x' into <paramref name="steps"/>, drawn from a generator seeded by the image.
    /// </summary>
    public void Draw(float[] inputs, int b, int batch, InputGeometry geometry, Span<float> points, Span<float> steps)
    {
        int size = geometry.SampleSize;
        var x = inputs.AsSpan(b * size, size);
        var random = SeededNoise.For(x, stream: 2);
        var candidates = BaselineCandidates(inputs, b, batch, geometry);
        var sigma = Enumerable.Range(0, geometry.Channels).Select(c => noiseFraction * geometry.Range(c)).ToArray();
        for (int s = 0; s < samples; s++)
        {
            var baseline = candidates[candidates.Count == 1 ? 0 : random.Next(candidates.Count)];
            float alpha = (float)random.NextDouble();
            var point = points.Slice(s * size, size);
            var step = steps.Slice(s * size, size);
            for (int c = 0; c < geometry.Channels; c++)
                for (int y = 0; y < geometry.Height; y++)
                    for (int col = 0; col < geometry.Width; col++)
                    {
                        int i = geometry.IndexOf(c, y, col);
                        float noisy = noiseFraction == 0 ? x[i] : x[i] + (float)(sigma[c] * random.NextGaussian());
                        step[i] = noisy - baseline[i];
                        point[i] = baseline[i] + alpha * step[i];
                    }
        }
    }

    private List<float[]> BaselineCandidates(float[] inputs, int b, int batch, InputGeometry geometry)
    {
        int size = geometry.SampleSize;
        var x = inputs.AsSpan(b * size, size);
        return baselines switch
        {
            ShapBaselines.Blur => [Baseline.For(BaselineKind.Blur, x, geometry, blurSigma)],
            ShapBaselines.Batch when batch > 1 => Enumerable.Range(0, batch).Where(o => o != b).Select(o => inputs.AsSpan(o * size, size).ToArray()).ToList(),
            _ => [Baseline.For(BaselineKind.Black, x, geometry)],
        };
    }
}
