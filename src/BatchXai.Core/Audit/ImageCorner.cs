namespace BatchXai.Core.Audit;

/// <summary>The four corner squares of an image, where burned-in text, rulers and scanner marks usually sit.</summary>
public enum ImageCorner
{
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

public static class ImageCorners
{
    public static readonly ImageCorner[] All = [ImageCorner.TopLeft, ImageCorner.TopRight, ImageCorner.BottomLeft, ImageCorner.BottomRight];

    /// <summary>snake_case name used in finding kinds and CSV columns.</summary>
    public static string Name(ImageCorner corner) => corner switch
    {
        ImageCorner.TopLeft => "top_left",
        ImageCorner.TopRight => "top_right",
        ImageCorner.BottomLeft => "bottom_left",
        ImageCorner.BottomRight => "bottom_right",
        _ => throw new ArgumentOutOfRangeException(nameof(corner)),
    };
}
