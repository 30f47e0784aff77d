namespace BatchXai.Core.Segmentation;

/// <summary>
/// Felzenszwalb &amp; Huttenlocher's graph-based segmentation (IJCV 2004), written to give the same
/// partition as scikit-image's <c>segmentation.felzenszwalb</c> (0.19), which PAIR saliency's XRAI calls:
/// Gaussian smoothing (σ, truncated at 4σ, reflected borders, rows then columns), an 8-connected grid
/// whose edge weight is the Euclidean colour distance, edges merged in ascending weight when lighter
/// than both components' internal difference Int(C) + k/|C| (k = scale/255; skimage keeps those
/// thresholds in single precision, so this does too), then components under min_size merged along
/// the same edge order. Equal weights are taken in edge order (skimage's unstable argsort may take
/// them otherwise; the test measures the agreement).
/// </summary>
public static class Felzenszwalb
{
    public static Segments Segment(SegmentationImage image, double scale, double sigma = 0.8, int minSize = 20)
    {
        int height = image.Height, width = image.Width, channels = image.Channels;
        var smooth = Smooth(image, sigma);
        var (from, to, costs) = Edges(smooth, height, width, channels);
        var order = Enumerable.Range(0, costs.Length).ToArray();
        Array.Sort(order, (a, b) => costs[a] != costs[b] ? costs[a].CompareTo(costs[b]) : a.CompareTo(b));

        int n = height * width;
        var forest = Enumerable.Range(0, n).ToArray();
        var size = Enumerable.Repeat(1, n).ToArray();
        var internalDifference = new double[n];
        double k = scale / 255.0;
        foreach (int e in order)
        {
            int a = FindRoot(forest, from[e]), b = FindRoot(forest, to[e]);
            if (a == b) continue;
            float thresholdA = (float)(internalDifference[a] + k / size[a]);
            float thresholdB = (float)(internalDifference[b] + k / size[b]);
            if (costs[e] < Math.Min(thresholdA, thresholdB))
            {
                int root = Join(forest, a, b);
                size[root] = size[a] + size[b];
                internalDifference[root] = costs[e];
            }
        }
        foreach (int e in order)
        {
            int a = FindRoot(forest, from[e]), b = FindRoot(forest, to[e]);
            if (a == b || (size[a] >= minSize && size[b] >= minSize)) continue;
            int root = Join(forest, a, b);
            size[root] = size[a] + size[b];
        }
        var roots = new int[n];
        for (int p = 0; p < n; p++) roots[p] = FindRoot(forest, p);
        return Segments.Relabel(height, width, roots);
    }

    /// <summary>Roots are the smallest index of their tree: joining hangs both trees under the smaller root.</summary>
    private static int FindRoot(int[] forest, int n)
    {
        while (forest[n] < n) n = forest[n];
        return n;
    }

    private static int Join(int[] forest, int a, int b)
    {
        int root = Math.Min(a, b);
        forest[a] = root;
        forest[b] = root;
        return root;
    }

    /// <summary>8-connectivity in skimage's order: right, down, down-right, up-right neighbours.</summary>
    private static (int[] From, int[] To, double[] Costs) Edges(double[] image, int height, int width, int channels)
    {
        var from = new List<int>(); var to = new List<int>(); var costs = new List<double>();
        void Add(int p, int q)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                double d = image[p * channels + c] - image[q * channels + c];
                sum += d * d;
            }
            from.Add(p); to.Add(q); costs.Add(Math.Sqrt(sum));
        }
        for (int y = 0; y < height; y++) for (int x = 0; x + 1 < width; x++) Add(y * width + x + 1, y * width + x);
        for (int y = 0; y + 1 < height; y++) for (int x = 0; x < width; x++) Add((y + 1) * width + x, y * width + x);
        for (int y = 0; y + 1 < height; y++) for (int x = 0; x + 1 < width; x++) Add((y + 1) * width + x + 1, y * width + x);
        for (int y = 0; y + 1 < height; y++) for (int x = 0; x + 1 < width; x++) Add(y * width + x + 1, (y + 1) * width + x);
        return ([.. from], [.. to], [.. costs]);
    }

    /// <summary>scipy's gaussian_filter over rows then columns: kernel exp(−x²/2σ²) normalised, radius ⌊4σ + ½⌋, 'reflect' borders.</summary>
    private static double[] Smooth(SegmentationImage image, double sigma)
    {
        int height = image.Height, width = image.Width, channels = image.Channels;
        var pixels = (double[])image.Pixels.Clone();
        if (sigma <= 1e-15) return pixels;
        int radius = (int)(4.0 * sigma + 0.5);
        var weights = new double[radius + 1];
        double total = 0;
        for (int i = -radius; i <= radius; i++) total += Math.Exp(-0.5 / (sigma * sigma) * i * i);
        for (int i = 0; i <= radius; i++) weights[i] = Math.Exp(-0.5 / (sigma * sigma) * i * i) / total;
        var vertical = new double[pixels.Length];
        for (int x = 0; x < width; x++)
            for (int c = 0; c < channels; c++)
                Correlate(pixels, vertical, height, i => (i * width + x) * channels + c, weights);
        var result = new double[pixels.Length];
        for (int y = 0; y < height; y++)
            for (int c = 0; c < channels; c++)
                Correlate(vertical, result, width, i => (y * width + i) * channels + c, weights);
        return result;
    }

    /// <summary>One line, summed as scipy's symmetric kernel does: centre, then pairs from the outside in.</summary>
    private static void Correlate(double[] source, double[] destination, int length, Func<int, int> index, double[] weights)
    {
        int radius = weights.Length - 1;
        for (int i = 0; i < length; i++)
        {
            double sum = source[index(i)] * weights[0];
            for (int j = radius; j >= 1; j--)
                sum += (source[index(Reflect(i - j, length))] + source[index(Reflect(i + j, length))]) * weights[j];
            destination[index(i)] = sum;
        }
    }

    /// <summary>scipy's 'reflect' (d c b a | a b c d | d c b a), repeated for lines shorter than the kernel.</summary>
    private static int Reflect(int i, int length)
    {
        if (length == 1) return 0;
        int period = 2 * length;
        i %= period;
        if (i < 0) i += period;
        return i < length ? i : period - 1 - i;
    }
}
