using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace BatchXai.Core.Audit.Spray;

/// <param name="K">Clusters, chosen by the eigengap.</param>
/// <param name="Eigengap">λ_{K+1} − λ_K of the normalised Laplacian (eigenvalues ascending, 1-based).</param>
/// <param name="Eigenvalues">The smallest eigenvalues of the normalised Laplacian, ascending (up to the largest k considered + 1).</param>
/// <param name="Labels">Each point's cluster; 0 is the largest cluster, ties broken by the smallest member index.</param>
public sealed record SpectralResult(int K, double Eigengap, IReadOnlyList<double> Eigenvalues, int[] Labels);

/// <summary>
/// Spectral clustering as SpRAy does it (Lapuschkin et al. 2019; Ng, Jordan &amp; Weiss 2001): the
/// symmetric kNN affinity W (<see cref="KnnAffinity"/>), the normalised Laplacian
/// L = I − D^{-1/2} W D^{-1/2}, its eigen-decomposition (Math.NET's symmetric solver), k the
/// position of the largest gap among the smallest eigenvalues, the rows of the first k eigenvectors
/// scaled to unit length, and seeded k-means (<see cref="KMeans"/>) on them.
/// </summary>
public static class SpectralClustering
{
    public static SpectralResult Run(IReadOnlyList<double[]> points, int neighbours, int maxClusters, int seed)
    {
        int n = points.Count;
        if (n < 3) throw new ArgumentException($"spectral clustering needs at least 3 points, got {n}", nameof(points));
        int kNearest = Math.Min(neighbours, n - 1);
        int kMax = Math.Clamp(maxClusters, 1, n - 1);
        var laplacian = NormalisedLaplacian(KnnAffinity.Build(points, kNearest));
        var evd = laplacian.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ThenBy(i => i).ToArray();
        var eigenvalues = order.Select(i => evd.EigenValues[i].Real).ToArray();

        // λ_1 = 0 always; the gap after the k-th eigenvalue says how well k clusters separate.
        int k = 1;
        double gap = eigenvalues[1] - eigenvalues[0];
        for (int c = 2; c <= kMax; c++)
            if (eigenvalues[c] - eigenvalues[c - 1] > gap + 1e-12) (k, gap) = (c, eigenvalues[c] - eigenvalues[c - 1]);

        var embedding = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var row = new double[k];
            for (int c = 0; c < k; c++) row[c] = evd.EigenVectors[i, order[c]];
            double norm = Math.Sqrt(row.Sum(v => v * v));
            if (norm > 0) for (int c = 0; c < k; c++) row[c] /= norm;
            embedding[i] = row;
        }
        var labels = k == 1 ? new int[n] : KMeans.Cluster(embedding, k, seed);
        return new SpectralResult(k, gap, eigenvalues.Take(kMax + 1).ToArray(), ByDescendingSize(labels));
    }

    public static Matrix<double> NormalisedLaplacian(double[,] affinity)
    {
        int n = affinity.GetLength(0);
        var inverseRootDegree = new double[n];
        for (int i = 0; i < n; i++)
        {
            double degree = 0;
            for (int j = 0; j < n; j++) degree += affinity[i, j];
            inverseRootDegree[i] = degree > 0 ? 1 / Math.Sqrt(degree) : 0;
        }
        return Matrix<double>.Build.Dense(n, n, (i, j) => (i == j && inverseRootDegree[i] > 0 ? 1 : 0) - inverseRootDegree[i] * affinity[i, j] * inverseRootDegree[j]);
    }

    /// <summary>Renumbers clusters so that 0 is the largest (ties: the one holding the smaller point index): labels do not depend on k-means' numbering.</summary>
    private static int[] ByDescendingSize(int[] labels)
    {
        var renumber = labels.Select((label, index) => (label, index)).GroupBy(p => p.label)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min(p => p.index))
            .Select((g, rank) => (g.Key, rank)).ToDictionary(p => p.Key, p => p.rank);
        return labels.Select(l => renumber[l]).ToArray();
    }
}
