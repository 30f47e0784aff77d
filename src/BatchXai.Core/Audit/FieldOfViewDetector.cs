namespace BatchXai.Core.Audit;

/// <summary>What counts as the field of view of a model's images (manifest <c>input.fieldOfView</c>).</summary>
public enum FieldOfViewMode
{
    /// <summary>Fundus photos: a disc fitted to the illuminated region.</summary>
    FundusDisc,
    /// <summary>Other modalities with a dark surround or padding: the non-background region as a mask.</summary>
    Foreground,
    /// <summary>No background to exclude: the whole frame.</summary>
    Frame,
}

/// <summary>
/// Finds the field of view of a model-input-size RGB image. Background is what is darker than
/// max(<see cref="Floor"/>, <see cref="Fraction"/> × the 99th-percentile brightness): brightness is
/// the largest channel, because fundus photos are red-dominant and luma (0.299 R) would drop a dim
/// red rim into the background; the percentile rather than the maximum, so that a white burned-in
/// tag or hot pixels do not set the scale. The field is the largest 4-connected bright region with
/// its holes filled (dark lesions, the macula). <see cref="FieldOfViewMode.FundusDisc"/> fits a
/// disc to it (<see cref="DiscFit"/>); <see cref="FieldOfViewMode.Foreground"/> keeps the mask.
/// </summary>
public static class FieldOfViewDetector
{
    /// <summary>Background threshold as a fraction of the 99th-percentile brightness: about half a fundus rim's brightness (vignetted to ~45% of the centre), so the edge is cut near its midpoint.</summary>
    public const double Fraction = 0.15;

    /// <summary>Lowest background threshold: camera surrounds and JPEG noise on them stay below it (as FundusCrop's 12).</summary>
    public const int Floor = 10;

    /// <summary>A bright region smaller than this share of the frame is not a field of view (an almost black image).</summary>
    public const double MinAreaFraction = 0.01;

    /// <param name="rgb">Height × Width × 3 interleaved 8-bit RGB, row-major.</param>
    /// <returns>The field of view, or null when the image has no bright region big enough to be one.</returns>
    public static FieldOfView? Detect(ReadOnlySpan<byte> rgb, int height, int width, FieldOfViewMode mode)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"image size must be positive, got {height}x{width}");
        if (rgb.Length != 3 * height * width) throw new ArgumentException($"{height}x{width} RGB needs {3 * height * width} bytes, got {rgb.Length}", nameof(rgb));
        if (mode == FieldOfViewMode.Frame) return FieldOfView.WholeFrame(height, width);
        var mask = ForegroundMask(rgb, height, width);
        if (mask is null) return null;
        return mode == FieldOfViewMode.FundusDisc ? DiscFit.Fit(mask, height, width) : FieldOfView.FromMask(height, width, mask);
    }

    /// <summary>The filled largest bright region, or null when it is smaller than <see cref="MinAreaFraction"/> of the frame.</summary>
    public static bool[]? ForegroundMask(ReadOnlySpan<byte> rgb, int height, int width)
    {
        int n = height * width;
        var brightness = new byte[n];
        Span<int> histogram = stackalloc int[256];
        histogram.Clear();
        for (int i = 0, j = 0; i < n; i++, j += 3)
        {
            byte b = Math.Max(rgb[j], Math.Max(rgb[j + 1], rgb[j + 2]));
            brightness[i] = b;
            histogram[b]++;
        }
        int threshold = Math.Max(Floor, (int)Math.Round(Fraction * Percentile(histogram, n, 0.99)));

        var mask = new bool[n];
        for (int i = 0; i < n; i++) mask[i] = brightness[i] > threshold;
        if (BinaryRegions.KeepLargest(mask, height, width) < MinAreaFraction * n) return null;
        BinaryRegions.FillHoles(mask, height, width);
        return mask;
    }

    private static int Percentile(ReadOnlySpan<int> histogram, int count, double q)
    {
        long needed = (long)Math.Ceiling(q * count), seen = 0;
        for (int v = 0; v < histogram.Length; v++)
            if ((seen += histogram[v]) >= needed) return v;
        return histogram.Length - 1;
    }
}
