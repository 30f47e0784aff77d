using BatchXai.Core.Options;
using System.Numerics.Tensors;
using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017): the mean of ∂S_c/∂x over n copies of the input with
/// Gaussian noise of σ = a fraction of each channel's input range added, shown like saliency
/// (max over channels of |·|). The n noisy copies of an image go through the engine in one batch;
/// the noise is seeded by the image, so a rerun draws the same copies.
/// </summary>
public sealed class SmoothGradMethod(int samples = SmoothGradMethod.DefaultSamples, double noiseFraction = SmoothGradMethod.DefaultNoise) : IExplanationMethod
{
    public const int DefaultSamples = 50;
    /// <summary>15% of the input range, the paper's recommended level.</summary>
    public const double DefaultNoise = 0.15;

    public static readonly IntOption Samples = new("smoothgrad-samples", "noisy copies per image", DefaultSamples, 1, 1024);
    public static readonly NumberOption Sigma = new("smoothgrad-sigma", "noise sigma as a fraction of each channel's input range", DefaultNoise, 0, 10);

    public static readonly MethodDescriptor Descriptor = new("smoothgrad", "mean input gradient over noisy copies; costs samples gradient passes per image",
        [Samples, Sigma], o => new SmoothGradMethod(o.Get(Samples), o.Get(Sigma)));

    public string Name => "smoothgrad";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize, classes = request.Head.Classes;
        var copies = new float[samples * size];
        var mean = new float[size];
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size);
            AddNoise(x, geometry, copies);
            var seeds = new float[samples * classes];
            for (int s = 0; s < samples; s++) seeds[s * classes + request.TargetClasses[b]] = 1f;
            var gradients = engine.Compute(copies, samples, seeds, GradientRule.Exact, withTargetLayer: false).InputGradients;
            Array.Clear(mean);
            for (int s = 0; s < samples; s++) TensorPrimitives.Add(mean, gradients.AsSpan(s * size, size), mean);
            TensorPrimitives.Multiply(mean, 1f / samples, mean);
            maps[b] = geometry.ToPixelMap(mean, ChannelCombine.MaxAbs, 0f);
        }
        return maps;
    }

    /// <summary>Fills <paramref name="copies"/> with n noisy copies of x: x + N(0, (fraction · range_c)²).</summary>
    public void AddNoise(ReadOnlySpan<float> x, InputGeometry geometry, Span<float> copies)
    {
        var random = SeededNoise.For(x);
        int size = geometry.SampleSize;
        var sigma = Enumerable.Range(0, geometry.Channels).Select(c => noiseFraction * geometry.Range(c)).ToArray();
        for (int s = 0; s < samples; s++)
        {
            var copy = copies.Slice(s * size, size);
            x.CopyTo(copy);
            if (noiseFraction == 0) continue;
            for (int c = 0; c < geometry.Channels; c++)
                for (int y = 0; y < geometry.Height; y++)
                    for (int col = 0; col < geometry.Width; col++)
                        copy[geometry.IndexOf(c, y, col)] += (float)(sigma[c] * random.NextGaussian());
        }
    }
}
