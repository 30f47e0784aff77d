namespace BatchXai.Imaging;

/// <summary>A rectangle in pixel coordinates; may extend past an image's edges (that part reads as black).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;

    public static PixelRect Of(RgbImage image) => new(0, 0, image.Width, image.Height);

    /// <summary>
    /// Grows the shorter side, keeping the centre, until Width/Height equals <paramref name="aspect"/>
    /// (never shrinks, so nothing inside the rectangle is lost).
    /// </summary>
    public PixelRect ExpandToAspect(double aspect)
    {
        if (Width >= Height * aspect)
        {
            int height = (int)Math.Round(Width / aspect);
            return height <= Height ? this : this with { Y = Y - (height - Height) / 2, Height = height };
        }
        int width = (int)Math.Round(Height * aspect);
        return width <= Width ? this : this with { X = X - (width - Width) / 2, Width = width };
    }
}
