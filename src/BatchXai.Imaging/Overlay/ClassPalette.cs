namespace BatchXai.Imaging;

/// <summary>
/// CLEAR's colour dictionary F (CLEAR-DR eq. 5): a fixed hue per class index, so a class has the
/// same colour in every image, run and legend. The first ten hues are hand-spread for contrast
/// and read as a severity scale for the five DR grades (blue, green, yellow, orange, red); later
/// classes step round the circle by the golden angle.
/// </summary>
public static class ClassPalette
{
    private static readonly double[] Hues = [220, 120, 55, 28, 0, 285, 180, 320, 90, 250];

    /// <summary>Hue in degrees [0, 360) of class <paramref name="classIndex"/> (≥ 0).</summary>
    public static double Hue(int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        return classIndex < Hues.Length ? Hues[classIndex] : (Hues[^1] + 137.508 * (classIndex - Hues.Length + 1)) % 360;
    }

    /// <summary>The class's colour at full saturation and the given value (HSV → RGB).</summary>
    public static Rgb Colour(int classIndex, double value = 1) => FromHsv(Hue(classIndex), 1, value);

    /// <summary>HSV (hue in degrees, saturation and value in [0,1]) to 8-bit RGB, the standard hexcone formula.</summary>
    public static Rgb FromHsv(double hue, double saturation, double value)
    {
        double h = ((hue % 360) + 360) % 360 / 60, s = Math.Clamp(saturation, 0, 1), v = Math.Clamp(value, 0, 1);
        double c = v * s, x = c * (1 - Math.Abs(h % 2 - 1)), m = v - c;
        var (r, g, b) = (int)h switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        return new Rgb(ToByte(r + m), ToByte(g + m), ToByte(b + m));
    }

    private static byte ToByte(double unit) => (byte)Math.Round(Math.Clamp(unit, 0, 1) * 255);
}
