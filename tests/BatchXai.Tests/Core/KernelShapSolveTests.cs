using BatchXai.Core.Methods;

namespace BatchXai.Tests.Core;

/// <summary>
/// KernelSHAP's constrained least squares on sampled coalitions that never separate two
/// superpixels: the design is rank-deficient, and the solve must still give finite values that
/// keep efficiency (Σφ = f(x) − f(∅)) and split the inseparable pair evenly (the least-norm solution).
/// </summary>
public class KernelShapSolveTests
{
    [Fact]
    public void A_rank_deficient_design_gives_finite_values_that_keep_efficiency()
    {
        // Superpixels 0 and 1 are always in or out together; f(z) = 2·z0 + 2·z1 + 3·z2 − z3 + 1.
        bool[][] z =
        [
            [true, true, false, false], [false, false, true, true],
            [true, true, true, false], [false, false, false, true],
            [false, false, true, false], [true, true, false, true],
        ];
        static double F(bool[] c) => 2 * (c[0] ? 1 : 0) + 2 * (c[1] ? 1 : 0) + 3 * (c[2] ? 1 : 0) - (c[3] ? 1 : 0) + 1;
        var phi = KernelShapMethod.Solve(z, z.Select(F).ToArray(), Enumerable.Repeat(1.0, z.Length).ToArray(), empty: 1, full: 7);

        Assert.All(phi, v => Assert.True(double.IsFinite(v), $"φ = [{string.Join(", ", phi)}]"));
        Assert.Equal(6, phi.Sum(), 9);
        // The pair's total is identified (4), its split is not: the least-norm solution halves it; the others are exact.
        Assert.Equal(4, phi[0] + phi[1], 9);
        Assert.Equal(phi[0], phi[1], 9);
        Assert.Equal(3, phi[2], 9);
        Assert.Equal(-1, phi[3], 9);
    }
}
