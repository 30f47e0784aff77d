namespace BatchXai.Core.Audit.Spray;

/// <summary>
/// SpRAy's affinity: the symmetric k-nearest-neighbour graph of the points under Euclidean
/// distance, W[i,j] = 1 when j is among i's k nearest or i among j's (ties broken by index), else 0;
/// no self-loops. A binary graph needs no bandwidth to tune, and its Laplacian has exactly one zero
/// eigenvalue per connected component, which is what the eigengap reads.
/// </summary>
public static class KnnAffinity
{
    public static double[,] Build(IReadOnlyList<double[]> points, int k)
    {
        int n = points.Count;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (k >= n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be below the number of points ({n})");
        var distance = Distances.Squared(points);
        var w = new double[n, n];
        var order = new int[n - 1];
        for (int i = 0; i < n; i++)
        {
            int m = 0;
            for (int j = 0; j < n; j++) if (j != i) order[m++] = j;
            var row = i;
            Array.Sort(order, (a, b) => distance[row, a] != distance[row, b] ? distance[row, a].CompareTo(distance[row, b]) : a.CompareTo(b));
            for (int r = 0; r < k; r++) w[i, order[r]] = w[order[r], i] = 1;
        }
        return w;
    }
}

/// <summary>Euclidean distances between points (rows of equal length).</summary>
public static class Distances
{
    public static double Between(double[] a, double[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"points of length {a.Length} and {b.Length} cannot be compared");
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; s += d * d; }
        return Math.Sqrt(s);
    }

    public static double[,] Squared(IReadOnlyList<double[]> points)
    {
        int n = points.Count;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = Between(points[i], points[j]);
                d[i, j] = d[j, i] = v * v;
            }
        return d;
    }
}
