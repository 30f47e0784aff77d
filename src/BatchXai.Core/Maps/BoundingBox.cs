namespace BatchXai.Core.Maps;

/// <summary>Inclusive pixel bounds (X0..X1, Y0..Y1) of a region; <see cref="Empty"/> when no pixel qualifies.</summary>
public readonly record struct BoundingBox(int X0, int Y0, int X1, int Y1)
{
    public static readonly BoundingBox Empty = new(-1, -1, -1, -1);
    public bool IsEmpty => X0 < 0;
    public int Width => IsEmpty ? 0 : X1 - X0 + 1;
    public int Height => IsEmpty ? 0 : Y1 - Y0 + 1;

    /// <summary>Box of the pixels whose value is at least <paramref name="threshold"/>.</summary>
    public static BoundingBox Of(ReadOnlySpan<float> values, int width, float threshold, out int count)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= threshold)) continue;
            int y = i / width, x = i - y * width;
            count++;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            if (y > y1) y1 = y;
        }
        return count == 0 ? Empty : new BoundingBox(x0, y0, x1, y1);
    }
}
