using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Options;
using BatchXai.Core.Paths;
using BatchXai.Core.Segmentation;
using MathNet.Numerics.LinearAlgebra;

namespace BatchXai.Core.Methods;

/// <summary>
/// LIME for images (Ribeiro et al. 2016, as lime_image): SLIC superpixels of the input; n binary
/// samples z (the first all ones, the rest uniform), each superpixel shown or replaced by the fill;
/// S_c (the logit) of every sample from batched forward passes; weights π(z) = √exp(−d(z)²/w²) with
/// d the cosine distance from z to the all-ones vector (w = 0.25, LIME's image default); a weighted
/// ridge regression (λ = 1, with intercept, as scikit-learn's Ridge that LIME fits) of S_c on z. The
/// map paints each superpixel's coefficient on its pixels. The samples are drawn from a generator
/// seeded by the image, so a redelivered batch writes the same map.
/// </summary>
public sealed class LimeMethod(SuperpixelOptions superpixels, int samples = LimeMethod.DefaultSamples, double kernelWidth = LimeMethod.DefaultKernelWidth) : IExplanationMethod
{
    public const int DefaultSamples = 256;
    public const double DefaultKernelWidth = 0.25;
    /// <summary>LIME's Ridge(alpha=1).</summary>
    public const double RidgePenalty = 1.0;

    public static readonly IntOption Samples = new("lime-samples", "perturbed copies per image (the first is the image itself)", DefaultSamples, 2, 100000);
    public static readonly NumberOption KernelWidth = new("lime-kernel-width", "width w of the exponential kernel on cosine distance", DefaultKernelWidth, 0.001, 100);

    public static readonly MethodDescriptor Descriptor = new("lime",
        "LIME: ridge fit of S_c on SLIC superpixels switched on/off; costs lime-samples forward passes per image (256 by default)",
        [Samples, KernelWidth, .. SuperpixelOptions.All], o => new LimeMethod(SuperpixelOptions.From(o), o.Get(Samples), o.Get(KernelWidth)))
        { Signed = true };

    public string Name => "lime";

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request) => SuperpixelCoalitions.Explain(request, Name, superpixels, (scorer, x) =>
    {
        var coalitions = Sample(x, scorer.Count);
        var weights = coalitions.Select(z => Kernel(CosineDistanceToAllOnes(z), kernelWidth)).ToArray();
        return WeightedRidge(coalitions, scorer.Score(coalitions), weights, RidgePenalty);
    });

    /// <summary>Row 0 all ones (the image itself), the rest uniform bits drawn from the image's own generator.</summary>
    private bool[][] Sample(ReadOnlySpan<float> x, int features)
    {
        var random = SeededNoise.For(x, stream: 0x4C494D45); // "LIME"
        var rows = new bool[samples][];
        for (int i = 0; i < samples; i++)
        {
            rows[i] = new bool[features];
            for (int j = 0; j < features; j++) rows[i][j] = i == 0 || random.Next(2) == 1;
        }
        return rows;
    }

    /// <summary>1 − cos(z, 1) = 1 − |z|/√(|z|·M); an empty coalition is at distance 1 (scikit-learn's convention for a zero vector).</summary>
    public static double CosineDistanceToAllOnes(bool[] z)
    {
        int on = z.Count(v => v);
        return on == 0 ? 1.0 : 1.0 - on / Math.Sqrt((double)on * z.Length);
    }

    /// <summary>LIME's kernel: √exp(−d²/w²).</summary>
    public static double Kernel(double distance, double width) => Math.Sqrt(Math.Exp(-distance * distance / (width * width)));

    /// <summary>
    /// argmin_β Σ_i w_i (y_i − β₀ − z_i·β)² + λ|β|² (intercept not penalised): centre z and y at their
    /// weighted means, solve (Z_cᵀWZ_c + λI)β = Z_cᵀWy_c. Returns β.
    /// </summary>
    public static double[] WeightedRidge(bool[][] z, double[] y, double[] w, double lambda)
    {
        int n = z.Length, m = z[0].Length;
        double total = w.Sum();
        var meanZ = new double[m];
        double meanY = 0;
        for (int i = 0; i < n; i++)
        {
            meanY += w[i] * y[i];
            for (int j = 0; j < m; j++) if (z[i][j]) meanZ[j] += w[i];
        }
        meanY /= total;
        for (int j = 0; j < m; j++) meanZ[j] /= total;
        var design = Matrix<double>.Build.Dense(n, m, (i, j) => ((z[i][j] ? 1 : 0) - meanZ[j]) * Math.Sqrt(w[i]));
        var target = Vector<double>.Build.Dense(n, i => (y[i] - meanY) * Math.Sqrt(w[i]));
        var normal = design.TransposeThisAndMultiply(design) + Matrix<double>.Build.DenseIdentity(m) * lambda;
        return normal.Cholesky().Solve(design.TransposeThisAndMultiply(target)).ToArray();
    }
}
