using BatchXai.Core.Maps;

namespace BatchXai.Core.Audit;

/// <summary>How a field of view was obtained; its snake_case name is stored and shown in audit evidence.</summary>
public enum FieldOfViewKind
{
    /// <summary>A disc fitted to the image's illuminated region (fundus photos).</summary>
    DetectedDisc,
    /// <summary>The image's non-background region, as a pixel mask (other modalities).</summary>
    DetectedForeground,
    /// <summary>The whole frame: the model's manifest says there is no background to exclude.</summary>
    Frame,
    /// <summary>The disc inscribed in the frame: the stand-in when nothing was detected or stored (runs made before detection).</summary>
    InscribedDisc,
}

/// <summary>
/// The anatomical region of one model-input-size image (Height × Width), as a disc, a pixel mask
/// or the whole frame. A pixel is inside a disc when its centre (x + 0.5, y + 0.5) lies within it;
/// a disc may reach past the frame (a fundus photo cut at its top and bottom). Masks are kept
/// bit-packed (row-major, pixel i in bit i % 8 of byte i / 8), the form they are stored in.
/// </summary>
public sealed class FieldOfView
{
    private readonly byte[]? _bits;

    private FieldOfView(FieldOfViewKind kind, int height, int width, double centerX, double centerY, double radius, byte[]? bits)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"frame size must be positive, got {height}x{width}");
        Kind = kind;
        Height = height;
        Width = width;
        CenterX = centerX;
        CenterY = centerY;
        Radius = radius;
        _bits = bits;
        int inside = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (Contains(x, y)) inside++;
        InsideFraction = (double)inside / ((long)height * width);
    }

    public FieldOfViewKind Kind { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Disc centre in input pixels; for a mask or the frame, the centroid of the inside pixels.</summary>
    public double CenterX { get; }
    public double CenterY { get; }

    /// <summary>Disc radius in input pixels; for a mask or the frame, the radius of a disc of equal area.</summary>
    public double Radius { get; }

    /// <summary>Share of the frame's pixels inside.</summary>
    public double InsideFraction { get; }

    public static FieldOfView Disc(int height, int width, double centerX, double centerY, double radius, FieldOfViewKind kind = FieldOfViewKind.DetectedDisc)
    {
        if (!double.IsFinite(centerX) || !double.IsFinite(centerY) || !(radius > 0) || !double.IsFinite(radius))
            throw new ArgumentException($"disc ({centerX}, {centerY}) r={radius} is not a finite disc with positive radius");
        if (kind is not (FieldOfViewKind.DetectedDisc or FieldOfViewKind.InscribedDisc))
            throw new ArgumentException($"{kind} is not a disc kind", nameof(kind));
        return new FieldOfView(kind, height, width, centerX, centerY, radius, null);
    }

    /// <summary>The disc inscribed in a height×width frame (centre of the frame, radius half the shorter side).</summary>
    public static FieldOfView InscribedIn(int height, int width)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"frame size must be positive, got {height}x{width}");
        return Disc(height, width, width / 2.0, height / 2.0, Math.Min(width, height) / 2.0, FieldOfViewKind.InscribedDisc);
    }

    public static FieldOfView WholeFrame(int height, int width) =>
        new(FieldOfViewKind.Frame, height, width, width / 2.0, height / 2.0, Math.Sqrt((double)height * width / Math.PI), null);

    /// <summary>A detected foreground from a row-major height×width mask.</summary>
    public static FieldOfView FromMask(int height, int width, ReadOnlySpan<bool> mask)
    {
        if (mask.Length != height * width) throw new ArgumentException($"mask holds {mask.Length} pixels, a {height}x{width} frame has {height * width}", nameof(mask));
        var bits = new byte[(mask.Length + 7) / 8];
        double sumX = 0, sumY = 0;
        int count = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (!mask[i]) continue;
            bits[i >> 3] |= (byte)(1 << (i & 7));
            sumX += i % width + 0.5;
            sumY += i / width + 0.5;
            count++;
        }
        return count == 0
            ? new FieldOfView(FieldOfViewKind.DetectedForeground, height, width, width / 2.0, height / 2.0, 0, bits)
            : new FieldOfView(FieldOfViewKind.DetectedForeground, height, width, sumX / count, sumY / count, Math.Sqrt(count / Math.PI), bits);
    }

    /// <summary>A detected foreground from its packed form (<see cref="PackedMask"/>).</summary>
    public static FieldOfView FromPackedMask(int height, int width, byte[] bits)
    {
        if (bits.Length != ((long)height * width + 7) / 8)
            throw new ArgumentException($"a packed {height}x{width} mask is {((long)height * width + 7) / 8} bytes, got {bits.Length}", nameof(bits));
        var mask = new bool[height * width];
        for (int i = 0; i < mask.Length; i++) mask[i] = (bits[i >> 3] & (1 << (i & 7))) != 0;
        return FromMask(height, width, mask);
    }

    /// <summary>The mask, bit-packed; null unless this is a detected foreground.</summary>
    public byte[]? PackedMask => _bits is null ? null : (byte[])_bits.Clone();

    public bool Contains(int x, int y)
    {
        switch (Kind)
        {
            case FieldOfViewKind.Frame:
                return (uint)x < (uint)Width && (uint)y < (uint)Height;
            case FieldOfViewKind.DetectedForeground:
                if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return false;
                int i = y * Width + x;
                return (_bits![i >> 3] & (1 << (i & 7))) != 0;
            default:
                double dx = x + 0.5 - CenterX, dy = y + 0.5 - CenterY;
                return dx * dx + dy * dy <= Radius * Radius;
        }
    }

    /// <summary>Share of the box's pixels that lie outside; 0 for an empty box.</summary>
    public double ShareOutside(BoundingBox box)
    {
        if (box.IsEmpty) return 0;
        int outside = 0;
        for (int y = box.Y0; y <= box.Y1; y++)
            for (int x = box.X0; x <= box.X1; x++)
                if (!Contains(x, y)) outside++;
        return (double)outside / (box.Width * box.Height);
    }

    /// <summary>snake_case name of a kind, as stored and shown in evidence.</summary>
    public static string NameOf(FieldOfViewKind kind) => kind switch
    {
        FieldOfViewKind.DetectedDisc => "detected_disc",
        FieldOfViewKind.DetectedForeground => "detected_foreground",
        FieldOfViewKind.Frame => "frame",
        FieldOfViewKind.InscribedDisc => "inscribed_disc",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static FieldOfViewKind KindNamed(string name)
    {
        foreach (var kind in Enum.GetValues<FieldOfViewKind>())
            if (NameOf(kind) == name) return kind;
        throw new ArgumentException($"'{name}' is not a field-of-view kind (detected_disc, detected_foreground, frame, inscribed_disc)", nameof(name));
    }

    public override string ToString() => Kind switch
    {
        FieldOfViewKind.Frame => $"frame {Width}x{Height}",
        FieldOfViewKind.DetectedForeground => $"foreground mask, {InsideFraction:P0} of {Width}x{Height}",
        _ => $"{NameOf(Kind)} centre ({CenterX:F1}, {CenterY:F1}) r={Radius:F1} in {Width}x{Height}",
    };
}
