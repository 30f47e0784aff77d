namespace BatchXai.Core.Audit;

/// <summary>
/// The frame regions the audit weighs attribution in: a border band (the outer
/// <see cref="BorderFraction"/> of each side) and four corner squares (the outer
/// <see cref="CornerFraction"/> of width × height). Sizes round to whole pixels, at least one.
/// </summary>
public sealed record FrameRegions(int Height, int Width, double BorderFraction = 0.08, double CornerFraction = 0.15)
{
    /// <summary>Columns the border band takes on each side.</summary>
    public int BorderX => Pixels(Width, BorderFraction);

    /// <summary>Rows the border band takes at the top and at the bottom.</summary>
    public int BorderY => Pixels(Height, BorderFraction);

    /// <summary>Columns a corner square takes.</summary>
    public int CornerX => Pixels(Width, CornerFraction);

    private int CornerY => Pixels(Height, CornerFraction);

    /// <summary>The corner squares row <paramref name="y"/> crosses on the left and on the right (null: none), as <see cref="CornerOf"/> places them.</summary>
    public (ImageCorner? Left, ImageCorner? Right) CornersOfRow(int y) => (CornerOf(0, y), CornerOf(Width - 1, y));

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
