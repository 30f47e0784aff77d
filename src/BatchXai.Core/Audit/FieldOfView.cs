using BatchXai.Core.Maps;

namespace BatchXai.Core.Audit;

/// <summary>
/// The anatomical region of a model-input-size image, as a disc. For fundus photos the
/// preprocessing crops to the bounding box of the illuminated disc (FundusCrop) before resizing,
/// so at input size the field of view is, to within the crop's tolerance, the disc inscribed in
/// the frame: <see cref="InscribedIn"/> is the estimate the audit uses. A pixel is inside when its
/// centre lies within the disc.
/// </summary>
public readonly record struct FieldOfView(double CenterX, double CenterY, double Radius)
{
    /// <summary>The disc inscribed in a height×width frame (centre of the frame, radius half the shorter side).</summary>
    public static FieldOfView InscribedIn(int height, int width)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"frame size must be positive, got {height}x{width}");
        return new FieldOfView(width / 2.0, height / 2.0, Math.Min(width, height) / 2.0);
    }

    public bool Contains(int x, int y)
    {
        double dx = x + 0.5 - CenterX, dy = y + 0.5 - CenterY;
        return dx * dx + dy * dy <= Radius * Radius;
    }

    /// <summary>Share of the box's pixels whose centre lies outside the disc; 0 for an empty box.</summary>
    public double ShareOutside(BoundingBox box)
    {
        if (box.IsEmpty) return 0;
        int outside = 0;
        for (int y = box.Y0; y <= box.Y1; y++)
            for (int x = box.X0; x <= box.X1; x++)
                if (!Contains(x, y)) outside++;
        return (double)outside / (box.Width * box.Height);
    }
}
