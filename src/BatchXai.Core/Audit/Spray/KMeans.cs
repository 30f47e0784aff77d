namespace BatchXai.Core.Audit.Spray;

/// <summary>
/// Lloyd's k-means with k-means++ seeding from a fixed seed, restarted a few times, the lowest
/// within-cluster sum of squares kept: the same points always give the same labels.
/// </summary>
public static class KMeans
{
    public static int[] Cluster(IReadOnlyList<double[]> points, int k, int seed, int restarts = 10, int maxIterations = 200)
    {
        int n = points.Count;
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of points ({n})");
        var rng = new Random(seed);
        int[]? best = null;
        double bestInertia = double.PositiveInfinity;
        for (int r = 0; r < restarts; r++)
        {
            var (labels, inertia) = Lloyd(points, PlusPlus(points, k, rng), maxIterations);
            if (inertia < bestInertia - 1e-12) (best, bestInertia) = (labels, inertia);
        }
        return best!;
    }

    private static double[][] PlusPlus(IReadOnlyList<double[]> points, int k, Random rng)
    {
        var centres = new List<double[]> { (double[])points[rng.Next(points.Count)].Clone() };
        var nearest = points.Select(p => Square(Distances.Between(p, centres[0]))).ToArray();
        while (centres.Count < k)
        {
            double total = nearest.Sum(), pick = rng.NextDouble() * total;
            int chosen = 0;
            if (total > 0)
                for (double acc = 0; chosen < points.Count - 1; chosen++) { acc += nearest[chosen]; if (acc >= pick) break; }
            else chosen = rng.Next(points.Count);
            centres.Add((double[])points[chosen].Clone());
            for (int i = 0; i < points.Count; i++) nearest[i] = Math.Min(nearest[i], Square(Distances.Between(points[i], centres[^1])));
        }
        return [.. centres];
    }

    private static (int[] Labels, double Inertia) Lloyd(IReadOnlyList<double[]> points, double[][] centres, int maxIterations)
    {
        int n = points.Count, k = centres.Length, dim = points[0].Length;
        var labels = new int[n];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            bool changed = iteration == 0;
            for (int i = 0; i < n; i++)
            {
                int label = Nearest(points[i], centres);
                if (label != labels[i]) { labels[i] = label; changed = true; }
            }
            if (!changed) break;
            for (int c = 0; c < k; c++)
            {
                var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToList();
                if (members.Count == 0) continue; // an emptied centre stays where it was
                var centre = new double[dim];
                foreach (int i in members) for (int d = 0; d < dim; d++) centre[d] += points[i][d];
                for (int d = 0; d < dim; d++) centre[d] /= members.Count;
                centres[c] = centre;
            }
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += Square(Distances.Between(points[i], centres[labels[i]]));
        return (labels, inertia);
    }

    private static int Nearest(double[] point, double[][] centres)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < centres.Length; c++)
        {
            double d = Distances.Between(point, centres[c]);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best;
    }

    private static double Square(double x) => x * x;
}
