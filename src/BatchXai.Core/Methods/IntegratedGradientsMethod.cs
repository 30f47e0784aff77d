using BatchXai.Core.Options;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// Integrated Gradients (Sundararajan et al. 2017): IG_i = (x_i − x'_i) ∫₀¹ ∂S_c/∂x_i(x' + α(x − x')) dα,
/// by the trapezoid rule over m steps or m-node Gauss–Legendre, from a black, zeros, blurred or
/// noise baseline. All path points of an image go through the gradient engine in one batch. The
/// map is the channel sum (signed); each map records its completeness delta Σ_i IG_i − (S_c(x) − S_c(x')).
/// With a <paramref name="tolerance"/> (> 0, trapezoid only), each image's path is refined by doubling
/// its steps, reusing the nodes already evaluated, until |delta| ≤ tolerance × |S_c(x) − S_c(x')| or
/// <paramref name="maxSteps"/>; the map records the steps it took.
/// </summary>
public sealed class IntegratedGradientsMethod(int steps = IntegratedGradientsMethod.DefaultSteps, BaselineKind baseline = BaselineKind.Black,
    QuadratureRule rule = QuadratureRule.Trapezoid, double blurSigma = Baseline.DefaultBlurSigma, double tolerance = 0,
    int maxSteps = IntegratedGradientsMethod.DefaultMaxSteps) : IExplanationMethod
{
    public const int DefaultSteps = 32;
    /// <summary>The step cap of <c>--ig-tolerance</c>: 1024 (MobileNetV3's hard-swish needed 512 for 0.6–3%, issue 12).</summary>
    public const int DefaultMaxSteps = 1024;

    public static readonly IntOption StepsOption = new("ig-steps", "interpolation steps along the path", DefaultSteps, 1, 1024);
    public static readonly NumberOption ToleranceOption = new("ig-tolerance",
        "refine each image's path (doubling its trapezoid steps) until |completeness delta| <= this share of |S_c(x) - S_c(x')|; 0: fixed --ig-steps", 0, 0, 1);
    public static readonly IntOption MaxStepsOption = new("ig-max-steps", "step cap of --ig-tolerance (at least --ig-steps)", DefaultMaxSteps, 1, 65536);

    public static readonly MethodDescriptor Descriptor = new("ig", "Integrated Gradients from a baseline; costs steps+1 gradient passes per image",
        [StepsOption, PathOptions.Rule, PathOptions.Baseline, PathOptions.BlurSigma, ToleranceOption, MaxStepsOption], From)
        { Signed = true };

    public static IntegratedGradientsMethod From(MethodOptions options)
    {
        var rule = options.Get(PathOptions.Rule);
        double tolerance = options.Get(ToleranceOption);
        if (tolerance > 0 && rule != QuadratureRule.Trapezoid)
            throw new ArgumentException("option --ig-tolerance refines trapezoid paths only (Gauss–Legendre nodes do not nest); drop --ig-rule gauss-legendre");
        int steps = options.Get(StepsOption);
        int maxSteps = options.IsSet(MaxStepsOption.Name) ? options.Get(MaxStepsOption with { Min = steps }) : Math.Max(DefaultMaxSteps, steps);
        return new(steps, options.Get(PathOptions.Baseline), rule, options.Get(PathOptions.BlurSigma), tolerance, maxSteps);
    }

    public string Name => "ig";
    public int Steps => steps;
    public QuadratureRule Rule => rule;
    public BaselineKind BaselineKind => baseline;

    public bool NeedsGradients => true;

    public double Tolerance => tolerance;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        if (tolerance <= 0)
            return PathIntegral.Explain(request, Name, Quadrature.For(rule, steps), (x, geometry) => new StraightPath(Baseline.For(baseline, x, geometry, blurSigma), x));
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize;
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size).ToArray();
            var path = new StraightPath(Baseline.For(baseline, x, geometry, blurSigma), x);
            var result = AdaptiveTrapezoid.Integrate(engine, path, request.TargetClasses[b], request.Head.Classes, size, steps, tolerance, maxSteps);
            maps[b] = geometry.ToPixelMap(result.Attribution, ChannelCombine.Sum, 0f);
            maps[b].CompletenessDelta = result.CompletenessDelta;
            maps[b].PathSteps = result.Steps;
        }
        return maps;
    }
}
