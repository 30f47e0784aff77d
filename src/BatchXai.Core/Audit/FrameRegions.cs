namespace BatchXai.Core.Audit;

/// <summary>
/// The frame regions the audit weighs attribution in: a border band (the outer
/// <see cref="BorderFraction"/> of each side) and four corner squares (the outer
/// <see cref="CornerFraction"/> of width × height). Sizes round to whole pixels, at least one.
/// </summary>
public sealed record FrameRegions(int Height, int Width, double BorderFraction = 0.08, double CornerFraction = 0.15)
{
    private int BorderX => Pixels(Width, BorderFraction);
    private int BorderY => Pixels(Height, BorderFraction);
    private int CornerX => Pixels(Width, CornerFraction);
    private int CornerY => Pixels(Height, CornerFraction);

    public bool InBorder(int x, int y) => x < BorderX || x >= Width - BorderX || y < BorderY || y >= Height - BorderY;

    /// <summary>The corner square holding (x, y), or null when it is in none.</summary>
    public ImageCorner? CornerOf(int x, int y)
    {
        bool left = x < CornerX, right = x >= Width - CornerX, top = y < CornerY, bottom = y >= Height - CornerY;
        if (top && left) return ImageCorner.TopLeft;
        if (top && right) return ImageCorner.TopRight;
        if (bottom && left) return ImageCorner.BottomLeft;
        if (bottom && right) return ImageCorner.BottomRight;
        return null;
    }

    private static int Pixels(int size, double fraction) => Math.Max(1, (int)Math.Round(size * fraction));
}
