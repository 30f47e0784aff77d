using BatchXai.Core.Options;

namespace BatchXai.Core.Paths;

/// <summary>Options several path methods read (ig, blurig, guidedig, occlusion), declared once here.</summary>
public static class PathOptions
{
    public static readonly ChoiceOption<BaselineKind> Baseline = new("ig-baseline",
        "baseline the path starts from: black (a black image, then the model's normalisation), zeros (model-input zeros), blur (the input blurred with --blur-sigma), noise (uniform over each channel's black–white range, seeded by the image)",
        BaselineKind.Black);

    public static readonly NumberOption BlurSigma = new("blur-sigma", "largest Gaussian sigma in input pixels (Blur IG's path, the blur baselines)",
        Paths.Baseline.DefaultBlurSigma, 0.1, 1000);

    /// <summary>ig's quadrature; blurig declares the same flag with Gauss–Legendre as its default.</summary>
    public static readonly ChoiceOption<QuadratureRule> Rule = new("ig-rule", "quadrature rule along the path (trapezoid: steps+1 points; gauss-legendre: steps nodes)",
        QuadratureRule.Trapezoid);
}
