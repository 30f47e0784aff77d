namespace BatchXai.Core.Segmentation;

/// <summary>
/// SLIC superpixels (Achanta et al. 2012): k-means on (colour, position) from a regular grid of
/// about <c>count</c> centres, each centre searching a 2S×2S window (S = √(HW/count)), distance
/// √(d_colour² + (d_xy/S)²·m²) with compactness m, 10 iterations; then connectivity is enforced
/// (components under a quarter of the mean superpixel area join the neighbour met before them in
/// raster order). Colours are the model input's channels scaled black…white → 0…100 (the range of
/// CIELAB's L, so m reads as in scikit-image; no Lab conversion, so grey and multi-channel inputs
/// work alike). Deterministic: no random initialisation.
/// </summary>
public static class Slic
{
    private const int Iterations = 10;
    public const double ColourTop = 100;

    public static Segments Segment(SegmentationImage image, int count, double compactness)
    {
        int height = image.Height, width = image.Width, channels = image.Channels, n = height * width;
        var pixels = image.Pixels;
        double step = Math.Sqrt((double)n / Math.Max(1, count));
        int rows = Math.Max(1, (int)Math.Round(height / step)), cols = Math.Max(1, (int)Math.Round(width / step));
        int k = rows * cols, stride = channels + 2;
        // Centre: colour channels, then y, x.
        var centres = new double[k * stride];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int y = Math.Min(height - 1, (int)((r + 0.5) * height / rows)), x = Math.Min(width - 1, (int)((c + 0.5) * width / cols));
                int j = (r * cols + c) * stride;
                for (int ch = 0; ch < channels; ch++) centres[j + ch] = pixels[(y * width + x) * channels + ch];
                centres[j + channels] = y; centres[j + channels + 1] = x;
            }
        var labels = new int[n];
        var distance = new double[n];
        double spatialWeight = compactness * compactness / (step * step);
        int window = (int)Math.Ceiling(step);
        var sums = new double[k * stride];
        var counts = new int[k];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            Array.Fill(distance, double.MaxValue);
            for (int j = 0; j < k; j++)
            {
                int o = j * stride;
                double cy = centres[o + channels], cx = centres[o + channels + 1];
                int y0 = Math.Max(0, (int)(cy - window)), y1 = Math.Min(height - 1, (int)(cy + window));
                int x0 = Math.Max(0, (int)(cx - window)), x1 = Math.Min(width - 1, (int)(cx + window));
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                    {
                        int p = y * width + x;
                        double colour = 0;
                        for (int ch = 0; ch < channels; ch++)
                        {
                            double d = pixels[p * channels + ch] - centres[o + ch];
                            colour += d * d;
                        }
                        double dy = y - cy, dx = x - cx;
                        double total = colour + (dy * dy + dx * dx) * spatialWeight;
                        if (total < distance[p]) { distance[p] = total; labels[p] = j; }
                    }
            }
            Array.Clear(sums); Array.Clear(counts);
            for (int p = 0; p < n; p++)
            {
                int o = labels[p] * stride;
                for (int ch = 0; ch < channels; ch++) sums[o + ch] += pixels[p * channels + ch];
                sums[o + channels] += p / width; sums[o + channels + 1] += p % width;
                counts[labels[p]]++;
            }
            for (int j = 0; j < k; j++)
                if (counts[j] > 0)
                    for (int d = 0; d < stride; d++) centres[j * stride + d] = sums[j * stride + d] / counts[j];
        }
        return Connected(labels, height, width, Math.Max(1, n / k / 4));
    }

    /// <summary>
    /// 4-connected components of the k-means labels, numbered in raster order; a component smaller
    /// than <paramref name="minSize"/> takes the label of the component met just before it (its
    /// left or upper neighbour), so every superpixel is one connected piece.
    /// </summary>
    private static Segments Connected(int[] labels, int height, int width, int minSize)
    {
        int n = labels.Length;
        var result = Enumerable.Repeat(-1, n).ToArray();
        var queue = new List<int>();
        int next = 0;
        for (int start = 0; start < n; start++)
        {
            if (result[start] >= 0) continue;
            int adjacent = -1, sy = start / width, sx = start % width;
            if (sx > 0) adjacent = result[start - 1];
            else if (sy > 0) adjacent = result[start - width];
            queue.Clear();
            queue.Add(start);
            result[start] = next;
            for (int head = 0; head < queue.Count; head++)
            {
                int p = queue[head], y = p / width, x = p % width;
                Span<int> neighbours = [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1];
                foreach (int q in neighbours)
                    if (q >= 0 && result[q] < 0 && labels[q] == labels[start]) { result[q] = next; queue.Add(q); }
            }
            if (queue.Count < minSize && adjacent >= 0)
                foreach (int p in queue) result[p] = adjacent;
            else next++;
        }
        return Segments.Relabel(height, width, result);
    }
}
