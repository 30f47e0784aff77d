namespace BatchXai.Core.Audit.Spray;

/// <summary>One spectral cluster of a class's maps.</summary>
/// <param name="Index">0 is the class's main (largest) cluster.</param>
/// <param name="Members">Image keys, nearest the mean map first.</param>
/// <param name="MeanMap">Mean of the members' grid maps (<see cref="MapGrid"/>), row-major, side×side.</param>
/// <param name="Spread">Median Euclidean distance of the members' grid maps to their mean: robust to the few
/// images a cluster borrows from its neighbours (a lesion near a shortcut's spot).</param>
/// <param name="DistanceToMain">Euclidean distance of the mean map to the main cluster's mean map (0 for the main cluster).</param>
/// <param name="Candidate">Small, tight and distant: a candidate shortcut (see <see cref="SprayThresholds"/>).</param>
public sealed record SprayCluster(int Index, IReadOnlyList<string> Members, double[] MeanMap, double Spread, double DistanceToMain, bool Candidate)
{
    public int Size => Members.Count;
}

/// <summary>SpRAy's result for one method and class.</summary>
public sealed record ClassSpray(string Method, int ClassIndex, int GridSide, int Images, int K, double Eigengap,
    IReadOnlyList<double> Eigenvalues, IReadOnlyList<SprayCluster> Clusters)
{
    public SprayCluster Main => Clusters[0];
}

/// <summary>
/// Spectral relevance analysis of one class (Lapuschkin et al. 2019): clusters the class's grid
/// maps spectrally (<see cref="SpectralClustering"/>) and describes each cluster — members, mean
/// map, spread, distance to the main cluster — marking the small, tight, distant ones as
/// candidate shortcuts.
/// </summary>
public static class SprayAnalysis
{
    /// <returns>Null when the class has fewer images than <see cref="SprayThresholds.MinImages"/>.</returns>
    public static ClassSpray? Analyse(string method, int classIndex, IReadOnlyList<string> imageKeys, IReadOnlyList<double[]> grids, SprayThresholds t)
    {
        if (imageKeys.Count != grids.Count) throw new ArgumentException($"{imageKeys.Count} image keys for {grids.Count} maps");
        int n = grids.Count;
        if (n < Math.Max(3, t.MinImages)) return null;
        var spectral = SpectralClustering.Run(grids, t.Neighbours, t.MaxClusters, t.Seed);

        var described = Enumerable.Range(0, spectral.K).Select(c =>
        {
            var members = Enumerable.Range(0, n).Where(i => spectral.Labels[i] == c).ToList();
            var mean = new double[grids[0].Length];
            foreach (int i in members) for (int d = 0; d < mean.Length; d++) mean[d] += grids[i][d];
            for (int d = 0; d < mean.Length; d++) mean[d] /= members.Count;
            var byDistance = members.Select(i => (Key: imageKeys[i], Distance: Distances.Between(grids[i], mean)))
                .OrderBy(m => m.Distance).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
            return (Members: byDistance.Select(m => m.Key).ToList(), Mean: mean, Spread: Median(byDistance.Select(m => m.Distance).ToList()));
        }).ToList();

        var main = described[0];
        var clusters = described.Select((c, index) =>
        {
            double distance = index == 0 ? 0 : Distances.Between(c.Mean, main.Mean);
            bool candidate = index > 0 && spectral.Eigengap >= t.MinEigengap
                && c.Members.Count >= t.MinClusterSize && c.Members.Count <= t.MaxShare * n
                && c.Spread <= t.MaxRelativeSpread * main.Spread
                && distance >= t.MinRelativeDistance * c.Spread;
            return new SprayCluster(index, c.Members, c.Mean, c.Spread, distance, candidate);
        }).ToList();
        return new ClassSpray(method, classIndex, t.GridSide, n, spectral.K, spectral.Eigengap, spectral.Eigenvalues, clusters);
    }

    /// <param name="ascending">Values in ascending order.</param>
    private static double Median(IReadOnlyList<double> ascending) =>
        ascending.Count % 2 == 1 ? ascending[ascending.Count / 2] : (ascending[ascending.Count / 2 - 1] + ascending[ascending.Count / 2]) / 2;
}
