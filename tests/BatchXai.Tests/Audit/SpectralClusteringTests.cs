using System.Text.Json;
using BatchXai.Core.Audit.Spray;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Audit;

/// <summary>
/// SpRAy's spectral clustering against a closed form (a kNN graph of separate groups has one zero
/// Laplacian eigenvalue per group, so the eigengap picks the number of groups) and against an
/// independent numpy implementation (spray_reference.py: eigh of the same normalised Laplacian,
/// its own k-means) on overlapping blobs, and the grid maps against numpy's block mean.
/// </summary>
public sealed class SpectralClusteringTests
{
    private static readonly string Script = Path.Combine(Path.GetDirectoryName(Localisation.PointingGameTests.BundledModel("x"))!, "..",
        "tests", "BatchXai.Tests", "Audit", "spray_reference.py");

    /// <summary>Gaussian blobs in <paramref name="dim"/> dimensions, rounded to float32 (what the .npy carries to numpy).</summary>
    private static List<double[]> Blobs(int[] sizes, int dim, double spread, double separation, int seed, out int[] truth)
    {
        var rng = new Random(seed);
        var points = new List<double[]>();
        var labels = new List<int>();
        for (int g = 0; g < sizes.Length; g++)
        {
            var centre = Enumerable.Range(0, dim).Select(_ => rng.NextDouble() * separation).ToArray();
            for (int i = 0; i < sizes[g]; i++)
            {
                points.Add(centre.Select(c => (double)(float)(c + spread * Normal(rng))).ToArray());
                labels.Add(g);
            }
        }
        // Interleave the groups so that no step can lean on the input order.
        var order = Enumerable.Range(0, points.Count).OrderBy(_ => rng.Next()).ToArray();
        truth = order.Select(i => labels[i]).ToArray();
        return order.Select(i => points[i]).ToList();
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Whether two labellings make the same partition (labels may differ by a permutation).</summary>
    private static bool SamePartition(IReadOnlyList<int> a, IReadOnlyList<int> b) =>
        a.Count == b.Count && a.Zip(b).Distinct().Count() == a.Distinct().Count() && a.Distinct().Count() == b.Distinct().Count();

    [Fact]
    public void Separate_groups_give_one_zero_eigenvalue_each_and_the_eigengap_picks_their_number()
    {
        var points = Blobs([20, 9, 6], dim: 16, spread: 0.05, separation: 50, seed: 3, out var truth);
        var result = SpectralClustering.Run(points, neighbours: 5, maxClusters: 8, seed: 1);

        Assert.Equal(3, result.K);
        Assert.All(result.Eigenvalues.Take(3), v => Assert.InRange(v, -1e-9, 1e-9));
        Assert.True(result.Eigenvalues[3] > 0.05, $"λ4 = {result.Eigenvalues[3]}");
        Assert.True(SamePartition(truth, result.Labels), "the clusters are the groups");
        // Cluster 0 is the largest group.
        Assert.Equal(20, result.Labels.Count(l => l == 0));
    }

    [Fact]
    public void Eigenvalues_k_and_clusters_match_an_independent_numpy_implementation_on_touching_blobs()
    {
        // Close enough that the kNN graph is connected (one zero eigenvalue), apart enough to cluster.
        var points = Blobs([30, 12, 7], dim: 24, spread: 1.0, separation: 6, seed: 11, out var truth);
        var file = Path.Combine(Directory.CreateTempSubdirectory("batchxai-spray-").FullName, "points.npy");
        File.WriteAllBytes(file, NpyFile.ToBytes(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Count, points[0].Length]));

        var ours = SpectralClustering.Run(points, neighbours: 6, maxClusters: 6, seed: 1);
        var reference = JsonDocument.Parse(PythonReference.Run(File.ReadAllText(Script), file, "6", "6")).RootElement;

        var theirs = reference.GetProperty("eigenvalues").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(theirs.Length, ours.Eigenvalues.Count);
        for (int i = 0; i < theirs.Length; i++) Assert.Equal(theirs[i], ours.Eigenvalues[i], 1e-9);
        Assert.Equal(reference.GetProperty("k").GetInt32(), ours.K);
        Assert.Equal(reference.GetProperty("eigengap").GetDouble(), ours.Eigengap, 1e-9);
        Assert.Equal(3, ours.K);
        var theirLabels = reference.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(theirLabels, ours.Labels);
        Assert.True(SamePartition(truth, ours.Labels), "the clusters are the blobs");
    }

    [Fact]
    public void Grid_maps_are_numpys_block_means_clipped_at_zero_and_scaled_to_unit_length()
    {
        var rng = new Random(5);
        var map = new ExplanationMap(160, 160, Enumerable.Range(0, 160 * 160).Select(_ => (float)(rng.NextDouble() * 2 - 0.5)).ToArray());
        var file = Path.Combine(Directory.CreateTempSubdirectory("batchxai-grid-").FullName, "map.npy");
        File.WriteAllBytes(file, NpyFile.ToBytes(map.Values, [160, 160]));

        var grid = MapGrid.Of(map, 32);
        var reference = JsonSerializer.Deserialize<double[]>(PythonReference.Run("""
            import json, sys, numpy as np
            a = np.clip(np.load(sys.argv[1]).astype(np.float64), 0, None).reshape(32, 5, 32, 5).mean(axis=(1, 3))
            print(json.dumps((a / np.linalg.norm(a)).ravel().tolist()))
            """, file))!;
        Assert.Equal(reference.Length, grid.Length);
        for (int i = 0; i < grid.Length; i++) Assert.Equal(reference[i], grid[i], 1e-12);
    }
}
