namespace BatchXai.Imaging;

/// <summary>
/// Composites RGBA over black and drops alpha: transparent surround becomes the same black a
/// fundus camera produces, so cropping and the model see one convention.
/// </summary>
internal static class AlphaCompositing
{
    /// <summary>out = round(c·a / 255). c·a/255 never lands on .5 (255 is odd), so floor(x + 127)/255 rounds exactly.</summary>
    public static void Rgba8OverBlack(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        int pixels = rgb.Length / 3;
        for (int p = 0; p < pixels; p++)
        {
            int a = rgba[4 * p + 3];
            for (int c = 0; c < 3; c++)
                rgb[3 * p + c] = (byte)((rgba[4 * p + c] * a + 127) / 255);
        }
    }

    /// <summary>
    /// out = round(c·a·255 / 65535²): composite and reduce 16 → 8 bits in one rounding.
    /// The divisor is odd, so there are no ties and adding (divisor − 1)/2 rounds exactly.
    /// </summary>
    public static void Rgba16OverBlack(ReadOnlySpan<ushort> rgba, Span<byte> rgb)
    {
        const ulong divisor = 65535UL * 65535UL;
        const ulong half = (divisor - 1) / 2;
        int pixels = rgb.Length / 3;
        for (int p = 0; p < pixels; p++)
        {
            ulong a = rgba[4 * p + 3];
            for (int c = 0; c < 3; c++)
                rgb[3 * p + c] = (byte)((rgba[4 * p + c] * a * 255 + half) / divisor);
        }
    }

    /// <summary>The same composite at full precision: c·a·255 / 65535² as levels on the 0–255 scale, not rounded.</summary>
    public static LevelImage Rgba16OverBlackLevels(ReadOnlySpan<ushort> rgba, int width, int height)
    {
        const double scale = 255.0 / (65535.0 * 65535.0);
        var image = new LevelImage(width, height, 3);
        var levels = image.Levels;
        for (int p = 0; p < width * height; p++)
        {
            double a = rgba[4 * p + 3];
            for (int c = 0; c < 3; c++) levels[3 * p + c] = (float)(rgba[4 * p + c] * a * scale);
        }
        return image;
    }
}
