namespace BatchXai.Imaging;

/// <summary>
/// An image at full precision: display levels on the 0–255 scale of 8-bit pixels, not rounded
/// (a 16-bit radiograph after its window, 16-bit colour scaled from 0–65535). 1 channel (gray)
/// or 3 (RGB, interleaved), row-major. What the model input is computed from when the source
/// has more than 8 bits; overlays use <see cref="ToRgb"/>.
/// </summary>
public sealed class LevelImage
{
    public LevelImage(int width, int height, int channels, float[]? levels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"1 or 3 channels, got {channels}");
        Width = width;
        Height = height;
        Channels = channels;
        Levels = levels ?? new float[checked(width * height * channels)];
        if (Levels.Length != width * height * channels)
            throw new ArgumentException($"expected {width * height * channels} levels for {width}x{height}x{channels}, got {Levels.Length}", nameof(levels));
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public float[] Levels { get; }

    /// <summary>Rounded to 8 bits (half away from zero), gray replicated to RGB: for overlays, crop detection and anything shown.</summary>
    public RgbImage ToRgb()
    {
        var image = new RgbImage(Width, Height);
        var pixels = image.Pixels;
        for (int p = 0; p < Width * Height; p++)
            for (int c = 0; c < 3; c++)
                pixels[3 * p + c] = Quantise(Levels[Channels * p + (Channels == 1 ? 0 : c)]);
        return image;
    }

    private static byte Quantise(float level) => (byte)Math.Clamp(Math.Round(level, MidpointRounding.AwayFromZero), 0, 255);
}

/// <summary>A decoded image: its 8-bit pixels, and its full-precision levels when the source had more than 8 bits (null otherwise).</summary>
public sealed record DecodedImage(RgbImage Pixels, LevelImage? Levels = null)
{
    public static DecodedImage Of(LevelImage levels) => new(levels.ToRgb(), levels);
}
