using System.Buffers;

namespace BatchXai.Imaging;

/// <summary>
/// Resizes a window of an RGB image (pixels of the window outside the image read as black).
/// Bilinear with pixel centres aligned (as PIL and torchvision with align_corners=False); when
/// shrinking by more than 2× an axis is first box-averaged by the integer factor ⌊scale⌋, so the
/// bilinear step never skips source pixels and large photos do not alias.
/// </summary>
public static class Resampler
{
    public static RgbImage Resize(RgbImage source, PixelRect window, int width, int height)
    {
        var target = new RgbImage(width, height);
        ResizeInto(source, window, target);
        return target;
    }

    public static void ResizeInto(RgbImage source, PixelRect window, RgbImage target)
    {
        if (window.Width <= 0 || window.Height <= 0)
            throw new ArgumentException($"empty resize window {window}", nameof(window));
        int kx = BoxFactor(window.Width, target.Width);
        int ky = BoxFactor(window.Height, target.Height);
        if (kx == 1 && ky == 1)
        {
            Bilinear(new WindowPlane(source, window), window.Width, window.Height,
                (double)window.Width / target.Width, (double)window.Height / target.Height, target);
            return;
        }

        int gridWidth = (window.Width + kx - 1) / kx, gridHeight = (window.Height + ky - 1) / ky;
        int length = gridWidth * gridHeight * 3;
        float[] reduced = ArrayPool<float>.Shared.Rent(length);
        try
        {
            BoxReduce(source, window, kx, ky, reduced.AsSpan(0, length), gridWidth, gridHeight);
            Bilinear(new GridPlane(reduced, gridWidth), gridWidth, gridHeight,
                (double)window.Width / (kx * (double)target.Width), (double)window.Height / (ky * (double)target.Height), target);
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

    /// <summary>Averages kx×ky blocks of the window; blocks cut by the window's edge average what they hold.</summary>
    private static void BoxReduce(RgbImage source, PixelRect window, int kx, int ky, Span<float> grid, int gridWidth, int gridHeight)
    {
        grid.Clear();
        int xStart = Math.Max(window.X, 0), xEnd = Math.Min(window.Right, source.Width);
        int yStart = Math.Max(window.Y, 0), yEnd = Math.Min(window.Bottom, source.Height);
        var pixels = source.Pixels;
        for (int y = yStart; y < yEnd; y++)
        {
            var gridRow = grid.Slice((y - window.Y) / ky * gridWidth * 3, gridWidth * 3);
            for (int cx = 0; cx < gridWidth; cx++)
            {
                int from = Math.Max(window.X + cx * kx, xStart), to = Math.Min(window.X + (cx + 1) * kx, xEnd);
                int r = 0, g = 0, b = 0;
                for (int i = (y * source.Width + from) * 3, end = (y * source.Width + to) * 3; i < end; i += 3)
                {
                    r += pixels[i];
                    g += pixels[i + 1];
                    b += pixels[i + 2];
                }
                gridRow[3 * cx] += r;
                gridRow[3 * cx + 1] += g;
                gridRow[3 * cx + 2] += b;
            }
        }
        for (int cy = 0; cy < gridHeight; cy++)
        {
            int blockHeight = Math.Min(ky, window.Height - cy * ky);
            for (int cx = 0; cx < gridWidth; cx++)
            {
                float inverseArea = 1f / (blockHeight * Math.Min(kx, window.Width - cx * kx));
                int i = (cy * gridWidth + cx) * 3;
                grid[i] *= inverseArea;
                grid[i + 1] *= inverseArea;
                grid[i + 2] *= inverseArea;
            }
        }
    }

    /// <param name="scaleX">Grid cells per output pixel along x.</param>
    private static void Bilinear<TPlane>(TPlane plane, int gridWidth, int gridHeight, double scaleX, double scaleY, RgbImage target)
        where TPlane : struct, IPlane
    {
        int[] columns = ArrayPool<int>.Shared.Rent(target.Width);
        float[] columnWeights = ArrayPool<float>.Shared.Rent(target.Width);
        try
        {
            for (int x = 0; x < target.Width; x++)
                (columns[x], columnWeights[x]) = SamplePosition(x, scaleX, gridWidth);

            var output = target.Pixels;
            for (int y = 0; y < target.Height; y++)
            {
                var (y0, fy) = SamplePosition(y, scaleY, gridHeight);
                int y1 = Math.Min(y0 + 1, gridHeight - 1);
                for (int x = 0; x < target.Width; x++)
                {
                    int x0 = columns[x], x1 = Math.Min(x0 + 1, gridWidth - 1);
                    float fx = columnWeights[x];
                    int o = (y * target.Width + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        float topLeft = plane.Get(x0, y0, c), bottomLeft = plane.Get(x0, y1, c);
                        float top = topLeft + fx * (plane.Get(x1, y0, c) - topLeft);
                        float bottom = bottomLeft + fx * (plane.Get(x1, y1, c) - bottomLeft);
                        float v = top + fy * (bottom - top);
                        output[o + c] = (byte)Math.Clamp((int)(v + 0.5f), 0, 255);
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

    private interface IPlane
    {
        float Get(int x, int y, int channel);
    }

    private readonly struct WindowPlane(RgbImage image, PixelRect window) : IPlane
    {
        private readonly byte[] _pixels = image.Pixels;
        private readonly int _width = image.Width, _height = image.Height;

        public float Get(int x, int y, int channel)
        {
            int sx = window.X + x, sy = window.Y + y;
            if ((uint)sx >= (uint)_width || (uint)sy >= (uint)_height) return 0f;
            return _pixels[(sy * _width + sx) * 3 + channel];
        }
    }

    private readonly struct GridPlane(float[] grid, int width) : IPlane
    {
        public float Get(int x, int y, int channel) => grid[(y * width + x) * 3 + channel];
    }
}
