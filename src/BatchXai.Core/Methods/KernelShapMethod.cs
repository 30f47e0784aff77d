using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Options;
using BatchXai.Core.Paths;
using BatchXai.Core.Segmentation;
using MathNet.Numerics.LinearAlgebra;

namespace BatchXai.Core.Methods;

/// <summary>
/// KernelSHAP (Lundberg &amp; Lee 2017) over the SLIC superpixels lime uses: coalitions z ∈ {0,1}^M
/// (absent superpixels show the fill), Shapley kernel π(z) = (M − 1) / (C(M,|z|)·|z|·(M − |z|)),
/// weighted least squares with φ₀ = S_c(all absent) and the efficiency constraint Σφ = S_c(x) − φ₀
/// (one unknown eliminated). When every coalition fits the sample budget (2^M − 2 ≤ samples) all are
/// enumerated with their kernel weights, which gives the exact Shapley values; otherwise coalition
/// sizes are drawn ∝ the kernel's mass per size, members uniformly, each with its complement
/// (paired sampling), all weighted alike. Draws are seeded by the image (redelivery gives the same map).
/// The map paints each superpixel's φ on its pixels.
/// </summary>
public sealed class KernelShapMethod(SuperpixelOptions superpixels, int samples = KernelShapMethod.DefaultSamples) : IExplanationMethod
{
    public const int DefaultSamples = 256;

    public static readonly IntOption Samples = new("kernelshap-samples",
        "coalitions per image besides the two ends; all 2^M − 2 are enumerated (exact Shapley values) when they fit", DefaultSamples, 2, 100000);

    public static readonly MethodDescriptor Descriptor = new("kernelshap",
        "KernelSHAP: Shapley-kernel weighted least squares over SLIC superpixels; costs kernelshap-samples + 2 forward passes per image (258 by default)",
        [Samples, .. SuperpixelOptions.All], o => new KernelShapMethod(SuperpixelOptions.From(o), o.Get(Samples)))
        { Signed = true };

    public string Name => "kernelshap";

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request) => SuperpixelCoalitions.Explain(request, Name, superpixels, Attribute);

    /// <summary>φ of each superpixel: the two ends and the coalitions scored in the same passes, then the constrained fit.</summary>
    public double[] Attribute(SuperpixelCoalitions scorer, float[] x)
    {
        int m = scorer.Count;
        var (coalitions, weights) = Coalitions(m, x);
        var rows = new bool[coalitions.Length + 2][];
        rows[0] = new bool[m];
        rows[1] = Enumerable.Repeat(true, m).ToArray();
        coalitions.CopyTo(rows, 2);
        var scores = scorer.Score(rows);
        return Solve(coalitions, scores[2..], weights, scores[0], scores[1]);
    }

    /// <summary>Every proper non-empty coalition with its kernel weight when they fit the budget, else paired kernel-distributed draws.</summary>
    private (bool[][] Coalitions, double[] Weights) Coalitions(int m, ReadOnlySpan<float> x)
    {
        if (m <= 1) return ([], []);
        if (m < 31 && (1L << m) - 2 <= samples)
        {
            var all = new bool[(1 << m) - 2][];
            var weights = new double[all.Length];
            for (int mask = 1; mask < (1 << m) - 1; mask++)
            {
                var z = new bool[m];
                for (int j = 0; j < m; j++) z[j] = (mask >> j & 1) == 1;
                all[mask - 1] = z;
                weights[mask - 1] = ShapleyKernel(m, System.Numerics.BitOperations.PopCount((uint)mask));
            }
            return (all, weights);
        }
        // Mass of each size s: C(M,s)·π(s) ∝ (M − 1)/(s(M − s)).
        var mass = Enumerable.Range(1, m - 1).Select(s => 1.0 / (s * (double)(m - s))).ToArray();
        double totalMass = mass.Sum();
        var random = SeededNoise.For(x, stream: 0x53484150); // "SHAP"
        var drawn = new bool[samples / 2 * 2][];
        var order = Enumerable.Range(0, m).ToArray();
        for (int i = 0; i < drawn.Length; i += 2)
        {
            double u = random.NextDouble() * totalMass;
            int s = 1;
            while (s < m - 1 && u >= mass[s - 1]) { u -= mass[s - 1]; s++; }
            for (int j = 0; j < s; j++) { int k = j + random.Next(m - j); (order[j], order[k]) = (order[k], order[j]); }
            var z = new bool[m];
            for (int j = 0; j < s; j++) z[order[j]] = true;
            drawn[i] = z;
            drawn[i + 1] = z.Select(v => !v).ToArray();
        }
        return (drawn, Enumerable.Repeat(1.0, drawn.Length).ToArray());
    }

    /// <summary>π(z) = (M − 1) / (C(M,s)·s·(M − s)) for a coalition of s of M players.</summary>
    public static double ShapleyKernel(int m, int s) => (m - 1) / (Binomial(m, s) * s * (m - s));

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (int i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }

    /// <summary>
    /// Weighted least squares under Σφ = f(x) − f(∅): with φ_M = Δ − Σ_{j&lt;M} φ_j, regress
    /// f(z) − f(∅) − z_M·Δ on (z_j − z_M)_{j&lt;M}; solved by SVD (a sampled design may be rank-deficient).
    /// </summary>
    public static double[] Solve(bool[][] z, double[] scores, double[] weights, double empty, double full)
    {
        double delta = full - empty;
        int m = z.Length > 0 ? z[0].Length : 1;
        if (m == 1 || z.Length == 0) return [.. Enumerable.Repeat(delta / m, m)];
        int n = z.Length;
        var design = Matrix<double>.Build.Dense(n, m - 1, (i, j) => ((z[i][j] ? 1.0 : 0.0) - (z[i][m - 1] ? 1.0 : 0.0)) * Math.Sqrt(weights[i]));
        var target = Vector<double>.Build.Dense(n, i => (scores[i] - empty - (z[i][m - 1] ? delta : 0)) * Math.Sqrt(weights[i]));
        var reduced = MinimumNormSolve(design, target);
        var phi = new double[m];
        for (int j = 0; j < m - 1; j++) phi[j] = reduced[j];
        phi[m - 1] = delta - reduced.Sum();
        return phi;
    }

    /// <summary>
    /// The least-squares solution of least norm, V·diag(1/s)·Uᵀ·b over the singular values above
    /// a relative tolerance: a sampled design whose coalitions never separate two superpixels is
    /// rank-deficient, and MathNet's Svd.Solve divides by its zero singular values (NaN maps).
    /// </summary>
    private static Vector<double> MinimumNormSolve(Matrix<double> a, Vector<double> b)
    {
        var svd = a.Svd(computeVectors: true);
        var s = svd.S;
        double tolerance = Math.Max(a.RowCount, a.ColumnCount) * (s.Count > 0 ? s[0] : 0) * 1e-12;
        var projected = svd.U.TransposeThisAndMultiply(b);
        var scaled = Vector<double>.Build.Dense(a.ColumnCount, j => j < s.Count && s[j] > tolerance ? projected[j] / s[j] : 0);
        return svd.VT.TransposeThisAndMultiply(scaled);
    }
}
