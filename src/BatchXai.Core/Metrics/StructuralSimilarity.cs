namespace BatchXai.Core.Metrics;

/// <summary>
/// SSIM (Wang et al. 2004) of two H×W images with values in [0, data range]: local means, variances and
/// covariance under a Gaussian window (σ = 1.5, truncated at 3.5σ as skimage), C1 = (0.01 L)², C2 = (0.03 L)²,
/// averaged over the pixels at least the window's radius from the border — skimage's
/// <c>structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)</c>.
/// </summary>
public static class StructuralSimilarity
{
    public static double Of(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int height, int width, double dataRange = 1)
    {
        const double sigma = 1.5;
        int radius = (int)(3.5 * sigma + 0.5);
        var taps = new double[2 * radius + 1];
        for (int k = -radius; k <= radius; k++) taps[k + radius] = Math.Exp(-k * k / (2 * sigma * sigma));
        double norm = taps.Sum();
        for (int k = 0; k < taps.Length; k++) taps[k] /= norm;

        int n = height * width;
        double[] x = new double[n], y = new double[n], xx = new double[n], yy = new double[n], xy = new double[n];
        for (int i = 0; i < n; i++) { x[i] = a[i]; y[i] = b[i]; xx[i] = x[i] * x[i]; yy[i] = y[i] * y[i]; xy[i] = x[i] * y[i]; }
        var mx = Filter(x, height, width, taps); var my = Filter(y, height, width, taps);
        var sxx = Filter(xx, height, width, taps); var syy = Filter(yy, height, width, taps); var sxy = Filter(xy, height, width, taps);
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2), sum = 0;
        int count = 0;
        for (int r = radius; r < height - radius; r++)
            for (int c = radius; c < width - radius; c++)
            {
                int i = r * width + c;
                double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i], cov = sxy[i] - mx[i] * my[i];
                sum += (2 * mx[i] * my[i] + c1) * (2 * cov + c2) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
                count++;
            }
        if (count == 0) throw new ArgumentException($"SSIM needs images larger than {2 * radius + 1} pixels a side, got {height}x{width}");
        return sum / count;
    }

    /// <summary>Separable filtering; only the interior is used, so the border rule does not matter.</summary>
    private static double[] Filter(double[] image, int height, int width, double[] taps)
    {
        int r = taps.Length / 2;
        var rows = new double[image.Length];
        var result = new double[image.Length];
        for (int y = 0; y < height; y++)
            for (int x = r; x < width - r; x++)
            {
                double s = 0;
                for (int k = -r; k <= r; k++) s += taps[k + r] * image[y * width + x + k];
                rows[y * width + x] = s;
            }
        for (int y = r; y < height - r; y++)
            for (int x = r; x < width - r; x++)
            {
                double s = 0;
                for (int k = -r; k <= r; k++) s += taps[k + r] * rows[(y + k) * width + x];
                result[y * width + x] = s;
            }
        return result;
    }
}
