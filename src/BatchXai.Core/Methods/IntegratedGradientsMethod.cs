using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>Where the Integrated Gradients path starts.</summary>
public enum IgBaseline
{
    /// <summary>An all-black image put through the model's normalisation (default).</summary>
    Black,
    /// <summary>Zeros in the model's input space (mid-grey for mean/std-normalised inputs).</summary>
    Zeros,
}

/// <summary>
/// Integrated Gradients (Sundararajan et al. 2017): IG_i = (x_i − x'_i) ∫₀¹ ∂S_c/∂x_i(x' + α(x − x')) dα
/// by the trapezoid rule over m steps. All m+1 path points of an image go through the gradient
/// engine in one batch. The map is the channel sum (signed); each map records its completeness
/// delta Σ_i IG_i − (S_c(x) − S_c(x')).
/// </summary>
public sealed class IntegratedGradientsMethod(int steps = IntegratedGradientsMethod.DefaultSteps, IgBaseline baseline = IgBaseline.Black) : IExplanationMethod
{
    public const int DefaultSteps = 32;

    public static IntegratedGradientsMethod From(MethodOptions options) =>
        new(options.Int("ig-steps", DefaultSteps, 1, 1024), options.Choice("ig-baseline", IgBaseline.Black));

    public string Name => "ig";
    public int Steps => steps;

    public bool NeedsGradients => true;

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize, points = steps + 1, classes = request.Head.Classes;
        var start = baseline == IgBaseline.Black ? geometry.BlackImage() : new float[size];
        var path = new float[points * size];
        var attribution = new float[size];
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size);
            for (int i = 0; i < points; i++)
            {
                float alpha = (float)i / steps;
                var point = path.AsSpan(i * size, size);
                for (int j = 0; j < size; j++) point[j] = start[j] + alpha * (x[j] - start[j]);
            }
            int c = request.TargetClasses[b];
            var seeds = new float[points * classes];
            for (int i = 0; i < points; i++) seeds[i * classes + c] = 1f;
            var result = engine.Compute(path, points, seeds, GradientRule.Exact, withTargetLayer: false);

            // Trapezoid weights: 1/(2m) at the ends, 1/m inside.
            Array.Clear(attribution);
            for (int i = 0; i < points; i++)
            {
                float weight = (i == 0 || i == steps ? 0.5f : 1f) / steps;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(result.InputGradients.AsSpan(i * size, size), weight, attribution, attribution);
            }
            double sum = 0;
            for (int j = 0; j < size; j++)
            {
                attribution[j] *= x[j] - start[j];
                sum += attribution[j];
            }
            double scoreGap = result.Logits[steps * classes + c] - result.Logits[c];
            maps[b] = geometry.ToPixelMap(attribution, (acc, v) => acc + v, 0f);
            maps[b].CompletenessDelta = sum - scoreGap;
        }
        return maps;
    }
}
