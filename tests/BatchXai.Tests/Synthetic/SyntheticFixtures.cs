using BatchXai.Synthetic;

namespace BatchXai.Tests.Synthetic;

/// <summary>Shared helpers: pixel access on rendered samples and the lesion types a mask holds.</summary>
internal static class SyntheticFixtures
{
    public static (int R, int G, int B) Pixel(SyntheticFundus s, int i) =>
        (s.Image.Pixels[3 * i], s.Image.Pixels[3 * i + 1], s.Image.Pixels[3 * i + 2]);

    public static SortedSet<LesionType> TypesIn(byte[] mask) => new(mask.Where(v => v != 0).Select(v => (LesionType)v));

    /// <summary>Mask pixels of <paramref name="type"/> whose whole 3×3 neighbourhood is that type (no anti-aliased rim).</summary>
    public static IEnumerable<int> InteriorPixels(byte[] mask, int size, LesionType type)
    {
        for (int y = 1; y < size - 1; y++)
            for (int x = 1; x < size - 1; x++)
            {
                bool all = true;
                for (int dy = -1; dy <= 1 && all; dy++)
                    for (int dx = -1; dx <= 1 && all; dx++)
                        all = mask[(y + dy) * size + x + dx] == (byte)type;
                if (all) yield return y * size + x;
            }
    }

    /// <summary>Binary dilation of "any lesion" by a square of the given radius.</summary>
    public static bool[] DilatedLesions(byte[] mask, int size, int radius)
    {
        var out_ = new bool[mask.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                if (mask[y * size + x] == 0) continue;
                for (int yy = Math.Max(0, y - radius); yy <= Math.Min(size - 1, y + radius); yy++)
                    for (int xx = Math.Max(0, x - radius); xx <= Math.Min(size - 1, x + radius); xx++)
                        out_[yy * size + xx] = true;
            }
        return out_;
    }
}
