namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// A single-channel coverage buffer in [0,1]. Shapes are stamped with max(), so overlapping
/// stamps of one structure (a vessel drawn as many discs, a cluster of exudate dots) do not
/// pile up opacity; the layer is then composited once onto the canvas and, for lesions, turned
/// into the ground-truth mask, so the mask is exactly where the lesion was painted.
/// </summary>
internal sealed class CoverageLayer
{
    public CoverageLayer(int size)
    {
        Size = size;
        Values = new float[size * size];
    }

    public int Size { get; }
    public float[] Values { get; }

    public float this[int x, int y] => Values[y * Size + x];

    /// <summary>Anti-aliased filled disc: coverage falls from 1 to 0 over one pixel at the rim.</summary>
    public void StampDisc(double cx, double cy, double radius, float strength = 1f)
    {
        int x0 = Math.Max(0, (int)Math.Floor(cx - radius - 1)), x1 = Math.Min(Size - 1, (int)Math.Ceiling(cx + radius + 1));
        int y0 = Math.Max(0, (int)Math.Floor(cy - radius - 1)), y1 = Math.Min(Size - 1, (int)Math.Ceiling(cy + radius + 1));
        for (int y = y0; y <= y1; y++)
        {
            double dy = y + 0.5 - cy;
            for (int x = x0; x <= x1; x++)
            {
                double dx = x + 0.5 - cx;
                double edge = radius + 0.5 - Math.Sqrt(dx * dx + dy * dy);
                if (edge <= 0) continue;
                Raise(y * Size + x, (float)Math.Min(1.0, edge) * strength);
            }
        }
    }

    /// <summary>Soft Gaussian blob (cut at 3σ): fluffy structures such as cotton-wool spots and the macula.</summary>
    public void StampGaussian(double cx, double cy, double sigma, float peak = 1f)
    {
        double reach = 3 * sigma;
        int x0 = Math.Max(0, (int)Math.Floor(cx - reach)), x1 = Math.Min(Size - 1, (int)Math.Ceiling(cx + reach));
        int y0 = Math.Max(0, (int)Math.Floor(cy - reach)), y1 = Math.Min(Size - 1, (int)Math.Ceiling(cy + reach));
        double inv = 1.0 / (2 * sigma * sigma);
        for (int y = y0; y <= y1; y++)
        {
            double dy = y + 0.5 - cy;
            for (int x = x0; x <= x1; x++)
            {
                double dx = x + 0.5 - cx;
                Raise(y * Size + x, peak * (float)Math.Exp(-(dx * dx + dy * dy) * inv));
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> into <paramref name="mask"/> wherever coverage reaches the threshold.</summary>
    public void WriteMask(byte[] mask, LesionType value, float threshold)
    {
        for (int i = 0; i < Values.Length; i++)
            if (Values[i] >= threshold) mask[i] = (byte)value;
    }

    private void Raise(int i, float a)
    {
        if (a > Values[i]) Values[i] = a;
    }
}
