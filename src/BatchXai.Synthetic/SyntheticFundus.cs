using BatchXai.Imaging;

namespace BatchXai.Synthetic;

/// <summary>One rendered fundus photo with its label and ground truth.</summary>
/// <param name="Id">APTOS-style 12-hex-digit id, a hash of (seed, index).</param>
/// <param name="Grade">True DR grade 0..4.</param>
/// <param name="Image">The photo.</param>
/// <param name="Mask">Per-pixel <see cref="LesionType"/> values, row-major, Size×Size.</param>
/// <param name="Lesions">How many lesions of each type were planted.</param>
/// <param name="Tag">The Clever Hans tag, when the option is on.</param>
/// <param name="FieldOfView">The illuminated disc as rendered: the true field of view.</param>
public sealed record SyntheticFundus(string Id, int Grade, RgbImage Image, byte[] Mask, LesionCounts Lesions, ShortcutTag? Tag, PixelCircle FieldOfView)
{
    public int Size => Image.Width;

    /// <summary>The planted ring's box, when this image carries it (<see cref="SampleDataOptions.RingGrade"/>).</summary>
    public PixelBox? Ring { get; init; }

    /// <summary>Whether this image carries the planted colour cast (<see cref="SampleDataOptions.CastGrade"/>).</summary>
    public bool ColourCast { get; init; }
}

/// <summary>Number of planted lesion instances per type (an exudate cluster or NV tuft counts once).</summary>
public sealed record LesionCounts(int Microaneurysms, int Haemorrhages, int HardExudates, int CottonWoolSpots, int Neovascularisations)
{
    public static readonly LesionCounts Zero = new(0, 0, 0, 0, 0);

    public int Total => Microaneurysms + Haemorrhages + HardExudates + CottonWoolSpots + Neovascularisations;

    public int Of(LesionType type) => type switch
    {
        LesionType.Microaneurysm => Microaneurysms,
        LesionType.Haemorrhage => Haemorrhages,
        LesionType.HardExudate => HardExudates,
        LesionType.CottonWoolSpot => CottonWoolSpots,
        LesionType.Neovascularisation => Neovascularisations,
        _ => 0,
    };
}

/// <summary>A burned-in text tag: what it says, which grade it shows, and the pixel box it covers.</summary>
public sealed record ShortcutTag(string Text, int ShownGrade, PixelBox Box);

/// <summary>
/// A circle in pixel coordinates, where pixel (x, y) covers [x, x+1) × [y, y+1), so its centre is at
/// (x + 0.5, y + 0.5): the rendered field of view is half-bright exactly on this circle.
/// </summary>
public readonly record struct PixelCircle(double CenterX, double CenterY, double Radius);

/// <summary>An axis-aligned pixel rectangle, X/Y of the top-left pixel, exclusive width/height.</summary>
public readonly record struct PixelBox(int X, int Y, int Width, int Height)
{
    public bool Contains(int x, int y) => x >= X && x < X + Width && y >= Y && y < Y + Height;
}
