namespace BatchXai.Core.Metrics;

/// <summary>
/// ROAD's noisy linear imputation (Rong et al. 2022): each removed pixel becomes the weighted mean of
/// its in-image 8 neighbours (orthogonal 1/6, diagonal 1/12), neighbours that are removed too being
/// unknowns of the same sparse linear system — per channel, (Σ_j w_ij) x_i − Σ_{j removed} w_ij x_j =
/// Σ_{j kept} w_ij x_j over the removed set — plus Gaussian noise of σ = <see cref="DefaultNoise"/>
/// in model-input units. The system matrix is symmetric and, as every connected removed region borders a
/// kept pixel unless all are removed, positive definite: solved by conjugate gradients.
/// </summary>
public static class NoisyLinearImputer
{
    /// <summary>The ROAD reference implementation's noise magnitude (absolute, in input units).</summary>
    public const double DefaultNoise = 0.01;

    private const double Orthogonal = 1.0 / 6, Diagonal = 1.0 / 12;
    private static readonly (int Dy, int Dx, double W)[] Neighbours =
    [
        (-1, -1, Diagonal), (-1, 0, Orthogonal), (-1, 1, Diagonal), (0, -1, Orthogonal),
        (0, 1, Orthogonal), (1, -1, Diagonal), (1, 0, Orthogonal), (1, 1, Diagonal),
    ];

    /// <param name="removed">H×W, true where the pixel is removed and imputed.</param>
    /// <param name="random">noise source (null or <paramref name="noise"/> 0: no noise).</param>
    public static void Impute(ReadOnlySpan<float> sample, bool[] removed, InputGeometry geometry, Span<float> destination, double noise = DefaultNoise,
        Random? random = null, double tolerance = 1e-6)
    {
        sample.CopyTo(destination);
        int h = geometry.Height, w = geometry.Width;
        var unknown = new List<int>();
        var variable = new int[h * w];
        for (int p = 0; p < h * w; p++)
        {
            variable[p] = removed[p] ? unknown.Count : -1;
            if (removed[p]) unknown.Add(p);
        }
        int n = unknown.Count;
        if (n == 0) return;
        if (n == h * w) throw new ArgumentException("noisy linear imputation needs at least one kept pixel", nameof(removed));

        // The system in compressed rows: diagonal Σ w over in-image neighbours, −w to removed neighbours.
        var diagonal = new double[n];
        var rowStart = new int[n + 1];
        var columns = new List<int>(n * 8);
        var weights = new List<double>(n * 8);
        for (int v = 0; v < n; v++)
        {
            int y = unknown[v] / w, x = unknown[v] % w;
            foreach (var (dy, dx, wt) in Neighbours)
            {
                int ny = y + dy, nx = x + dx;
                if (ny < 0 || nx < 0 || ny >= h || nx >= w) continue;
                diagonal[v] += wt;
                int other = variable[ny * w + nx];
                if (other >= 0) { columns.Add(other); weights.Add(wt); }
            }
            rowStart[v + 1] = columns.Count;
        }
        var plane = new float[h * w];
        var rhs = new double[n];
        var solution = new double[n];
        for (int c = 0; c < geometry.Channels; c++)
        {
            geometry.ReadPlane(sample, c, plane);
            for (int v = 0; v < n; v++)
            {
                int y = unknown[v] / w, x = unknown[v] % w;
                double b = 0;
                foreach (var (dy, dx, wt) in Neighbours)
                {
                    int ny = y + dy, nx = x + dx;
                    if (ny < 0 || nx < 0 || ny >= h || nx >= w || removed[ny * w + nx]) continue;
                    b += wt * plane[ny * w + nx];
                }
                rhs[v] = b;
                // Start from the neighbourhood mean of the kept pixels: close for small holes.
                solution[v] = b / diagonal[v];
            }
            ConjugateGradient(diagonal, rowStart, columns, weights, rhs, solution, tolerance);
            for (int v = 0; v < n; v++)
            {
                double value = solution[v] + (random is not null && noise > 0 ? noise * Paths.SeededNoise.NextGaussian(random) : 0);
                int p = unknown[v];
                destination[geometry.IndexOf(c, p / w, p % w)] = (float)value;
            }
        }
    }

    /// <summary>Solves (D − W) s = b for symmetric positive definite D − W, from the given start, to a relative residual.</summary>
    private static void ConjugateGradient(double[] diagonal, int[] rowStart, List<int> columns, List<double> weights, double[] b, double[] s, double tolerance)
    {
        int n = b.Length;
        var r = new double[n];
        var d = new double[n];
        var q = new double[n];
        void Apply(double[] v, double[] result)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = diagonal[i] * v[i];
                for (int k = rowStart[i]; k < rowStart[i + 1]; k++) sum -= weights[k] * v[columns[k]];
                result[i] = sum;
            }
        }
        Apply(s, q);
        double bNorm = 0, rr = 0;
        for (int i = 0; i < n; i++) { r[i] = b[i] - q[i]; d[i] = r[i]; rr += r[i] * r[i]; bNorm += b[i] * b[i]; }
        double stop = tolerance * tolerance * Math.Max(bNorm, 1e-30);
        for (int iteration = 0; iteration < 10 * n && rr > stop; iteration++)
        {
            Apply(d, q);
            double dq = 0;
            for (int i = 0; i < n; i++) dq += d[i] * q[i];
            double alpha = rr / dq, next = 0;
            for (int i = 0; i < n; i++) { s[i] += alpha * d[i]; r[i] -= alpha * q[i]; next += r[i] * r[i]; }
            double beta = next / rr;
            rr = next;
            for (int i = 0; i < n; i++) d[i] = r[i] + beta * d[i];
        }
    }
}
