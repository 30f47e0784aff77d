using BatchXai.Core;
using BatchXai.Core.Paths;

namespace BatchXai.Tests.Core;

/// <summary>The pieces path methods share: quadrature rules, the Gaussian blur, baselines, the Guided IG path.</summary>
public class PathTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(64)]
    public void Gauss_legendre_integrates_polynomials_up_to_degree_2n_minus_1_exactly(int n)
    {
        var q = Quadrature.GaussLegendre(n);
        Assert.All(q.Nodes, a => Assert.InRange(a, 0, 1));
        Assert.True(q.Nodes.Zip(q.Nodes.Skip(1)).All(pair => pair.First < pair.Second), "nodes ascending and distinct");
        // ∫₀¹ α^d dα = 1/(d+1).
        for (int d = 0; d <= Math.Min(2 * n - 1, 40); d++)
        {
            double sum = q.Nodes.Zip(q.Weights).Sum(nw => nw.Second * Math.Pow(nw.First, d));
            Assert.True(Math.Abs(sum - 1.0 / (d + 1)) <= 1e-13, $"n={n}, degree {d}: {sum} vs {1.0 / (d + 1)}");
        }
        // …and no further: degree 2n is not exact (for n small enough that the error is visible).
        if (n <= 8)
        {
            double sum = q.Nodes.Zip(q.Weights).Sum(nw => nw.Second * Math.Pow(nw.First, 2 * n));
            Assert.True(Math.Abs(sum - 1.0 / (2 * n + 1)) > 1e-12, $"n={n}: degree {2 * n} came out exact");
        }
    }

    [Fact]
    public void Gauss_legendre_three_nodes_are_the_textbook_ones()
    {
        // On [−1, 1]: 0, ±√(3/5) with weights 8/9, 5/9; on [0, 1] halved and shifted.
        var q = Quadrature.GaussLegendre(3);
        double r = Math.Sqrt(0.6) / 2;
        Assert.Equal([0.5 - r, 0.5, 0.5 + r], q.Nodes, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal([5.0 / 18, 8.0 / 18, 5.0 / 18], q.Weights, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Trapezoid_has_m_plus_one_nodes_with_half_weights_at_the_ends()
    {
        var q = Quadrature.Trapezoid(4);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], q.Nodes);
        Assert.Equal([0.125, 0.25, 0.25, 0.25, 0.125], q.Weights);
    }

    [Theory]
    [InlineData(false, 0.8)]
    [InlineData(true, 2.5)]
    [InlineData(true, 40)] // wider than the image: a weighted mean of all of it
    public void Gaussian_blur_matches_a_direct_two_dimensional_sum(bool channelsLast, double sigma)
    {
        var g = new InputGeometry(2, 7, 9, channelsLast, [0f, 0f], [1f, 1f]);
        var random = new Random(3);
        var x = Enumerable.Range(0, g.SampleSize).Select(_ => (float)random.NextDouble()).ToArray();
        var blurred = new float[g.SampleSize];
        new GaussianBlur(g).Apply(x, sigma, blurred);

        int r = (int)Math.Ceiling(3 * sigma);
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < g.Height; y++)
                for (int col = 0; col < g.Width; col++)
                {
                    // Separable weights renormalised per axis = the product kernel over in-image taps, renormalised.
                    double sum = 0, norm = 0;
                    for (int v = Math.Max(0, y - r); v <= Math.Min(g.Height - 1, y + r); v++)
                        for (int u = Math.Max(0, col - r); u <= Math.Min(g.Width - 1, col + r); u++)
                        {
                            double weight = Math.Exp(-((v - y) * (v - y) + (u - col) * (u - col)) / (2 * sigma * sigma));
                            sum += weight * x[g.IndexOf(c, v, u)];
                            norm += weight;
                        }
                    Assert.Equal(sum / norm, blurred[g.IndexOf(c, y, col)], 1e-5);
                }
    }

    [Fact]
    public void Noise_baseline_spans_each_channels_range_and_is_seeded_by_the_image()
    {
        var g = new InputGeometry(3, 16, 16, false, [-2f, -1f, 0f], [2f, 1f, 0.5f]);
        var x = Enumerable.Range(0, g.SampleSize).Select(i => (float)Math.Sin(i)).ToArray();
        var noise = Baseline.For(BaselineKind.Noise, x, g);
        for (int c = 0; c < 3; c++)
        {
            var plane = noise.AsSpan(c * 256, 256).ToArray();
            Assert.All(plane, v => Assert.InRange(v, g.BlackPixel[c], g.WhitePixel[c]));
            Assert.InRange(plane.Average(), g.BlackPixel[c] + 0.4 * g.Range(c), g.BlackPixel[c] + 0.6 * g.Range(c));
        }
        Assert.Equal(noise, Baseline.For(BaselineKind.Noise, x, g));
        x[0] += 0.5f;
        Assert.NotEqual(noise, Baseline.For(BaselineKind.Noise, x, g));
    }

    [Fact]
    public void Guided_path_runs_from_baseline_to_input_moving_each_feature_monotonically_within_the_band()
    {
        const int n = 400, steps = 25;
        const double fraction = 0.25, maxDist = 0.05;
        var random = new Random(11);
        var input = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var baseline = Enumerable.Range(0, n).Select(i => i % 17 == 0 ? input[i] : (float)(random.NextDouble() - 0.5)).ToArray(); // some features already there
        var path = new GuidedPath(input, baseline, steps, fraction, maxDist);
        Assert.Equal(baseline.Select(v => (double)v), path.Current.ToArray());

        var previous = Progress(path.Current, input, baseline);
        var gradient = new float[n];
        for (int step = 0; step < steps; step++)
        {
            // A gradient that depends on where the path is, as a model's would.
            for (int i = 0; i < n; i++) gradient[i] = (float)Math.Sin(3 * path.Current[i] + i);
            path.Advance(step, gradient);
            var progress = Progress(path.Current, input, baseline);
            double alpha = (step + 1.0) / steps;
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(progress[i])) continue;
                Assert.True(progress[i] >= previous[i] - 1e-12, $"step {step}, feature {i} moved back: {previous[i]} → {progress[i]}");
                Assert.InRange(progress[i], alpha - maxDist - 1e-9, alpha + maxDist + 1e-9);
            }
            previous = progress;
            // L1 distance to the input follows the schedule (1 − k/m) of the start's.
            double l1 = Enumerable.Range(0, n).Sum(i => Math.Abs(path.Current[i] - input[i]));
            double l1Start = Enumerable.Range(0, n).Sum(i => Math.Abs((double)baseline[i] - input[i]));
            Assert.Equal(l1Start * (1 - alpha), l1, 1e-6);
        }
        for (int i = 0; i < n; i++) Assert.Equal(input[i], path.Current[i], 1e-9);
    }

    private static double[] Progress(ReadOnlySpan<double> x, float[] input, float[] baseline)
    {
        var progress = new double[input.Length];
        for (int i = 0; i < input.Length; i++)
            progress[i] = input[i] == baseline[i] ? double.NaN : (x[i] - baseline[i]) / ((double)input[i] - baseline[i]);
        return progress;
    }
}
