using System.Buffers;

namespace BatchXai.Imaging;

/// <summary>Finds a fundus photo's field of view: the bounding box of the non-black pixels.</summary>
public static class FundusCrop
{
    /// <summary>Black surrounds of real cameras (and JPEG noise on them) stay below this on every channel.</summary>
    public const int DefaultThreshold = 12;

    /// <summary>
    /// Bounding box of pixels whose largest channel exceeds <paramref name="threshold"/>. A row or
    /// column counts only when at least 0.5% of it is bright, so isolated specks and hot pixels in
    /// the surround do not stretch the box. Null when nothing is bright.
    /// </summary>
    public static PixelRect? FindForeground(RgbImage image, int threshold = DefaultThreshold)
    {
        int width = image.Width, height = image.Height;
        int[] rows = ArrayPool<int>.Shared.Rent(height);
        int[] columns = ArrayPool<int>.Shared.Rent(width);
        try
        {
            Array.Clear(rows, 0, height);
            Array.Clear(columns, 0, width);
            var pixels = image.Pixels;
            for (int y = 0; y < height; y++)
            {
                int i = y * width * 3;
                for (int x = 0; x < width; x++, i += 3)
                {
                    if (Math.Max(pixels[i], Math.Max(pixels[i + 1], pixels[i + 2])) > threshold)
                    {
                        rows[y]++;
                        columns[x]++;
                    }
                }
            }
            var (top, bottom) = Extent(rows.AsSpan(0, height), minCount: Math.Max(1, width / 200));
            var (left, right) = Extent(columns.AsSpan(0, width), minCount: Math.Max(1, height / 200));
            if (top < 0 || left < 0) return null;
            return new PixelRect(left, top, right - left + 1, bottom - top + 1);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rows);
            ArrayPool<int>.Shared.Return(columns);
        }
    }

    private static (int First, int Last) Extent(ReadOnlySpan<int> counts, int minCount)
    {
        int first = -1, last = -1;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] < minCount) continue;
            if (first < 0) first = i;
            last = i;
        }
        return (first, last);
    }
}
