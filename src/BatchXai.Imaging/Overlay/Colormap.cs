namespace BatchXai.Imaging;

/// <summary>A 256-entry colour lookup table for values in [0, 1].</summary>
public sealed class Colormap
{
    private readonly Rgb[] _table = new Rgb[256];

    /// <param name="colourAt">Colour at t ∈ [0,1] as unit-range components; clamped.</param>
    public Colormap(string name, Func<double, (double R, double G, double B)> colourAt)
    {
        Name = name;
        for (int i = 0; i < 256; i++)
        {
            var (r, g, b) = colourAt(i / 255.0);
            _table[i] = new Rgb(ToByte(r), ToByte(g), ToByte(b));
        }
    }

    public string Name { get; }

    /// <summary>MATLAB/matplotlib "jet": dark blue → cyan → yellow → dark red. The CRM paper's heatmaps use it.</summary>
    public static Colormap Jet { get; } = new("jet", t => (
        Piecewise(t, (0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)),
        Piecewise(t, (0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)),
        Piecewise(t, (0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0))));

    /// <summary>
    /// Google's "turbo" (perceptually smoother than jet), from its published degree-5 polynomial fit.
    /// The fit is close in the body of the map; its lowest entries are a dark grey rather than
    /// turbo's dark violet, which is harmless under a threshold that hides low values.
    /// </summary>
    public static Colormap Turbo { get; } = new("turbo", t => (
        Polynomial(t, 0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943),
        Polynomial(t, 0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604),
        Polynomial(t, 0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973)));

    /// <summary>
    /// The diverging map for signed explanations, matplotlib's "bwr": blue (0,0,1) at t = 0 through
    /// white at t = 0.5 to red (1,0,0) at t = 1, linear in each half. Through <see cref="MapSigned"/>,
    /// −1 (evidence against the class) is blue and +1 (evidence for it) is red.
    /// </summary>
    public static Colormap BlueWhiteRed { get; } = new("bwr", t => (
        Piecewise(t, (0, 0), (0.5, 1), (1, 1)),
        Piecewise(t, (0, 0), (0.5, 1), (1, 0)),
        Piecewise(t, (0, 1), (0.5, 1), (1, 0))));

    public Rgb this[int index] => _table[index];

    /// <summary>Colour of <paramref name="value"/>, clamped to [0,1]; NaN maps to the lowest colour.</summary>
    public Rgb Map(float value)
    {
        if (!(value > 0)) return _table[0];
        return value >= 1 ? _table[255] : _table[(int)(value * 255f + 0.5f)];
    }

    /// <summary>Colour of a signed value in [−1, 1] (clamped): −1 is the table's first entry, 0 its middle, +1 its last.</summary>
    public Rgb MapSigned(float value) => float.IsNaN(value) ? _table[128] : Map((value + 1f) * 0.5f);

    private static byte ToByte(double unit) => (byte)Math.Round(Math.Clamp(unit, 0, 1) * 255);

    private static double Piecewise(double t, params (double X, double Y)[] knots)
    {
        for (int i = 1; i < knots.Length; i++)
        {
            if (t > knots[i].X) continue;
            var (x0, y0) = knots[i - 1];
            var (x1, y1) = knots[i];
            return y0 + (y1 - y0) * (t - x0) / (x1 - x0);
        }
        return knots[^1].Y;
    }

    private static double Polynomial(double t, params double[] coefficients)
    {
        double result = 0;
        for (int i = coefficients.Length - 1; i >= 0; i--) result = result * t + coefficients[i];
        return result;
    }
}
