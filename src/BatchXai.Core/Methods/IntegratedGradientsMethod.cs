using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// Integrated Gradients (Sundararajan et al. 2017): IG_i = (x_i − x'_i) ∫₀¹ ∂S_c/∂x_i(x' + α(x − x')) dα,
/// by the trapezoid rule over m steps or m-node Gauss–Legendre, from a black, zeros, blurred or
/// noise baseline. All path points of an image go through the gradient engine in one batch. The
/// map is the channel sum (signed); each map records its completeness delta Σ_i IG_i − (S_c(x) − S_c(x')).
/// </summary>
public sealed class IntegratedGradientsMethod(int steps = IntegratedGradientsMethod.DefaultSteps, BaselineKind baseline = BaselineKind.Black,
    QuadratureRule rule = QuadratureRule.Trapezoid, double blurSigma = Baseline.DefaultBlurSigma) : IExplanationMethod
{
    public const int DefaultSteps = 32;

    public static IntegratedGradientsMethod From(MethodOptions options) =>
        new(options.Int("ig-steps", DefaultSteps, 1, 1024), options.Choice("ig-baseline", BaselineKind.Black),
            options.Choice("ig-rule", QuadratureRule.Trapezoid), options.Double("blur-sigma", Baseline.DefaultBlurSigma, 0.1, 1000));

    public string Name => "ig";
    public int Steps => steps;
    public QuadratureRule Rule => rule;
    public BaselineKind BaselineKind => baseline;

    public bool NeedsGradients => true;

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request) =>
        PathIntegral.Explain(request, Name, Quadrature.For(rule, steps), (x, geometry) => new StraightPath(Baseline.For(baseline, x, geometry, blurSigma), x));
}
