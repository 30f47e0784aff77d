namespace BatchXai.Core.Paths;

/// <summary>How a path integral over α ∈ [0, 1] is discretised.</summary>
public enum QuadratureRule
{
    /// <summary>m steps, m+1 equally spaced nodes including both ends; exact for integrands linear in α.</summary>
    Trapezoid,
    /// <summary>m Gauss–Legendre nodes inside (0, 1); exact for polynomials in α of degree 2m−1.</summary>
    GaussLegendre,
}

/// <summary>Nodes α_i in [0, 1] and weights w_i with ∫₀¹ f(α) dα ≈ Σ_i w_i f(α_i).</summary>
public sealed record Quadrature(double[] Nodes, double[] Weights)
{
    public int Count => Nodes.Length;

    public static Quadrature For(QuadratureRule rule, int steps) => rule switch
    {
        QuadratureRule.Trapezoid => Trapezoid(steps),
        QuadratureRule.GaussLegendre => GaussLegendre(steps),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    public static Quadrature Trapezoid(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"the trapezoid rule needs at least 1 step, got {steps}");
        var nodes = new double[steps + 1];
        var weights = new double[steps + 1];
        for (int i = 0; i <= steps; i++)
        {
            nodes[i] = (double)i / steps;
            weights[i] = (i == 0 || i == steps ? 0.5 : 1.0) / steps;
        }
        return new Quadrature(nodes, weights);
    }

    /// <summary>
    /// The n-point Gauss–Legendre rule mapped from [−1, 1] to [0, 1]: nodes are the roots of the
    /// Legendre polynomial P_n, found by Newton's method from Chebyshev-like first guesses, and
    /// w_i = 2 / ((1 − t_i²) P_n'(t_i)²), halved by the change of interval.
    /// </summary>
    public static Quadrature GaussLegendre(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"Gauss–Legendre needs at least 1 node, got {n}");
        var nodes = new double[n];
        var weights = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)), derivative;
            for (int iteration = 0; ; iteration++)
            {
                (double p, derivative) = Legendre(n, t);
                double step = p / derivative;
                t -= step;
                if (Math.Abs(step) < 1e-15 || iteration > 100) break;
            }
            (_, derivative) = Legendre(n, t);
            double w = 2.0 / ((1 - t * t) * derivative * derivative);
            // Roots come in ± pairs; t is the i-th largest.
            nodes[n - 1 - i] = 0.5 * (1 + t);
            nodes[i] = 0.5 * (1 - t);
            weights[i] = weights[n - 1 - i] = 0.5 * w;
        }
        return new Quadrature(nodes, weights);
    }

    /// <summary>P_n(t) and P_n'(t) by the three-term recurrence.</summary>
    private static (double Value, double Derivative) Legendre(int n, double t)
    {
        double previous = 1, current = t;
        if (n == 0) return (1, 0);
        for (int k = 2; k <= n; k++)
        {
            double next = ((2 * k - 1) * t * current - (k - 1) * previous) / k;
            previous = current;
            current = next;
        }
        return (current, n * (t * current - previous) / (t * t - 1));
    }
}
