namespace BatchXai.Imaging;

/// <summary>
/// A VOI window over modality values (e.g. Hounsfield units: lung Center −600, Width 1500),
/// mapped to 0–255 by DICOM's linear window function (PS3.3 C.11.2.1.2.1):
/// x ≤ c − 0.5 − (w − 1)/2 → 0; x &gt; c − 0.5 + (w − 1)/2 → 255;
/// otherwise ((x − (c − 0.5)) / (w − 1) + 0.5) · 255.
/// </summary>
public readonly record struct IntensityWindow(double Center, double Width)
{
    /// <summary>The window that maps the smallest value to 0 and the largest to 255 (an image without a window of its own).</summary>
    public static IntensityWindow MinMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return new IntensityWindow(0.5, 1);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        double width = (double)max - min + 1;
        return new IntensityWindow(min + width / 2, width);
    }

    /// <summary>"-600,1500" (center,width): the form a run option takes.</summary>
    public static IntensityWindow Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !double.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out double c)
            || !double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out double w) || !double.IsFinite(c) || !(w >= 1))
            throw new ArgumentException($"window '{text}' is not 'center,width' with width >= 1 (e.g. -600,1500 for lung CT)");
        return new IntensityWindow(c, w);
    }

    /// <summary>Display level in [0, 255] of a modality value.</summary>
    public double Apply(double x)
    {
        double w = Math.Max(Width, 1);
        double low = Center - 0.5 - (w - 1) / 2, high = Center - 0.5 + (w - 1) / 2;
        if (x <= low) return 0;
        if (x > high) return 255;
        return w == 1 ? 255 : ((x - (Center - 0.5)) / (w - 1) + 0.5) * 255;
    }

    public override string ToString() => FormattableString.Invariant($"center {Center}, width {Width}");
}
