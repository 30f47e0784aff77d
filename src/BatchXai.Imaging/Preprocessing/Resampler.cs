using System.Buffers;

namespace BatchXai.Imaging;

/// <summary>
/// Resizes a window of an RGB image (pixels of the window outside the image read as black).
/// Bilinear with pixel centres aligned (as PIL and torchvision with align_corners=False); when
/// shrinking by more than 2× an axis is first box-averaged by the integer factor ⌊scale⌋, so the
/// bilinear step never skips source pixels and large photos do not alias. 8-bit images and
/// full-precision <see cref="LevelImage"/>s (1 or 3 channels) go through the same code.
/// </summary>
public static class Resampler
{
    public static RgbImage Resize(RgbImage source, PixelRect window, int width, int height)
    {
        var target = new RgbImage(width, height);
        ResizeInto(source, window, target);
        return target;
    }

    public static void ResizeInto(RgbImage source, PixelRect window, RgbImage target) =>
        Resize(new WindowPlane(source, window), 3, window, target.Width, target.Height, new ByteSink(target.Pixels));

    /// <summary>The same resampling at full precision (no rounding to 8 bits): model input from a high-bit-depth image.</summary>
    public static LevelImage Resize(LevelImage source, PixelRect window, int width, int height)
    {
        var target = new LevelImage(width, height, source.Channels);
        Resize(new LevelPlane(source, window), source.Channels, window, width, height, new FloatSink(target.Levels));
        return target;
    }

    private static void Resize<TPlane, TSink>(TPlane plane, int channels, PixelRect window, int width, int height, TSink sink)
        where TPlane : struct, IPlane where TSink : struct, ISink
    {
        if (window.Width <= 0 || window.Height <= 0)
            throw new ArgumentException($"empty resize window {window}", nameof(window));
        int kx = BoxFactor(window.Width, width);
        int ky = BoxFactor(window.Height, height);
        if (kx == 1 && ky == 1)
        {
            Bilinear(plane, channels, window.Width, window.Height,
                (double)window.Width / width, (double)window.Height / height, width, height, sink);
            return;
        }

        int gridWidth = (window.Width + kx - 1) / kx, gridHeight = (window.Height + ky - 1) / ky;
        int length = gridWidth * gridHeight * channels;
        float[] reduced = ArrayPool<float>.Shared.Rent(length);
        try
        {
            BoxReduce(plane, channels, window, kx, ky, reduced.AsSpan(0, length), gridWidth, gridHeight);
            Bilinear(new GridPlane(reduced, gridWidth, channels), channels, gridWidth, gridHeight,
                (double)window.Width / (kx * (double)width), (double)window.Height / (ky * (double)height), width, height, sink);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(reduced);
        }
    }

    private static int BoxFactor(int sourceSize, int targetSize)
    {
        double scale = (double)sourceSize / targetSize;
        return scale > 2 ? (int)scale : 1;
    }

    /// <summary>Averages kx×ky blocks of the window; blocks cut by the image's edge average what they hold (outside reads as black).</summary>
    private static void BoxReduce<TPlane>(TPlane plane, int channels, PixelRect window, int kx, int ky, Span<float> grid, int gridWidth, int gridHeight)
        where TPlane : struct, IPlane
    {
        grid.Clear();
        int xStart = Math.Max(window.X, 0) - window.X, xEnd = Math.Min(window.Right, plane.SourceWidth) - window.X;
        int yStart = Math.Max(window.Y, 0) - window.Y, yEnd = Math.Min(window.Bottom, plane.SourceHeight) - window.Y;
        for (int y = yStart; y < yEnd; y++)
        {
            var gridRow = grid.Slice(y / ky * gridWidth * channels, gridWidth * channels);
            for (int cx = 0; cx < gridWidth; cx++)
            {
                int from = Math.Max(cx * kx, xStart), to = Math.Min((cx + 1) * kx, xEnd);
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0;
                    for (int x = from; x < to; x++) sum += plane.Get(x, y, c);
                    gridRow[channels * cx + c] += sum;
                }
            }
        }
        for (int cy = 0; cy < gridHeight; cy++)
        {
            int blockHeight = Math.Min(ky, window.Height - cy * ky);
            for (int cx = 0; cx < gridWidth; cx++)
            {
                float inverseArea = 1f / (blockHeight * Math.Min(kx, window.Width - cx * kx));
                int i = (cy * gridWidth + cx) * channels;
                for (int c = 0; c < channels; c++) grid[i + c] *= inverseArea;
            }
        }
    }

    /// <param name="scaleX">Grid cells per output pixel along x.</param>
    private static void Bilinear<TPlane, TSink>(TPlane plane, int channels, int gridWidth, int gridHeight, double scaleX, double scaleY, int width, int height, TSink sink)
        where TPlane : struct, IPlane where TSink : struct, ISink
    {
        int[] columns = ArrayPool<int>.Shared.Rent(width);
        float[] columnWeights = ArrayPool<float>.Shared.Rent(width);
        try
        {
            for (int x = 0; x < width; x++)
                (columns[x], columnWeights[x]) = SamplePosition(x, scaleX, gridWidth);

            for (int y = 0; y < height; y++)
            {
                var (y0, fy) = SamplePosition(y, scaleY, gridHeight);
                int y1 = Math.Min(y0 + 1, gridHeight - 1);
                for (int x = 0; x < width; x++)
                {
                    int x0 = columns[x], x1 = Math.Min(x0 + 1, gridWidth - 1);
                    float fx = columnWeights[x];
                    int o = (y * width + x) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        float topLeft = plane.Get(x0, y0, c), bottomLeft = plane.Get(x0, y1, c);
                        float top = topLeft + fx * (plane.Get(x1, y0, c) - topLeft);
                        float bottom = bottomLeft + fx * (plane.Get(x1, y1, c) - bottomLeft);
                        sink.Set(o + c, top + fy * (bottom - top));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<float>.Shared.Return(columnWeights);
        }
    }

    /// <summary>Lower neighbour and weight of the upper one for output index <paramref name="i"/>; clamped at the edges.</summary>
    private static (int Index, float Fraction) SamplePosition(int i, double scale, int size)
    {
        double position = (i + 0.5) * scale - 0.5;
        if (position <= 0) return (0, 0f);
        if (position >= size - 1) return (size - 1, 0f);
        int lower = (int)position;
        return (lower, (float)(position - lower));
    }

    /// <summary>Samples at (x, y) relative to the resize window (or the reduced grid), channel c.</summary>
    private interface IPlane
    {
        int SourceWidth { get; }
        int SourceHeight { get; }
        float Get(int x, int y, int channel);
    }

    private interface ISink
    {
        void Set(int index, float value);
    }

    private readonly struct WindowPlane(RgbImage image, PixelRect window) : IPlane
    {
        private readonly byte[] _pixels = image.Pixels;
        public int SourceWidth { get; } = image.Width;
        public int SourceHeight { get; } = image.Height;

        public float Get(int x, int y, int channel)
        {
            int sx = window.X + x, sy = window.Y + y;
            if ((uint)sx >= (uint)SourceWidth || (uint)sy >= (uint)SourceHeight) return 0f;
            return _pixels[(sy * SourceWidth + sx) * 3 + channel];
        }
    }

    private readonly struct LevelPlane(LevelImage image, PixelRect window) : IPlane
    {
        private readonly float[] _levels = image.Levels;
        private readonly int _channels = image.Channels;
        public int SourceWidth { get; } = image.Width;
        public int SourceHeight { get; } = image.Height;

        public float Get(int x, int y, int channel)
        {
            int sx = window.X + x, sy = window.Y + y;
            if ((uint)sx >= (uint)SourceWidth || (uint)sy >= (uint)SourceHeight) return 0f;
            return _levels[(sy * SourceWidth + sx) * _channels + channel];
        }
    }

    private readonly struct GridPlane(float[] grid, int width, int channels) : IPlane
    {
        public int SourceWidth => width;
        public int SourceHeight => int.MaxValue;
        public float Get(int x, int y, int channel) => grid[(y * width + x) * channels + channel];
    }

    /// <summary>8-bit output: rounded half up and clamped.</summary>
    private readonly struct ByteSink(byte[] output) : ISink
    {
        public void Set(int index, float value) => output[index] = (byte)Math.Clamp((int)(value + 0.5f), 0, 255);
    }

    private readonly struct FloatSink(float[] output) : ISink
    {
        public void Set(int index, float value) => output[index] = value;
    }
}
