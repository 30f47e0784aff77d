using BatchXai.Imaging;

namespace BatchXai.Synthetic.Rendering;

/// <summary>An RGB colour with float channels on the 0..255 scale.</summary>
internal readonly record struct Rgb(float R, float G, float B)
{
    public Rgb Scale(double f) => new((float)(R * f), (float)(G * f), (float)(B * f));
}

/// <summary>
/// Float RGB working canvas (0..255 per channel). Painting happens in float so that layered
/// translucent structures do not accumulate 8-bit rounding; <see cref="ToImage"/> quantises once.
/// </summary>
internal sealed class FloatCanvas
{
    public FloatCanvas(int size)
    {
        Size = size;
        R = new float[size * size];
        G = new float[size * size];
        B = new float[size * size];
    }

    public int Size { get; }
    public float[] R { get; }
    public float[] G { get; }
    public float[] B { get; }

    public void Set(int i, Rgb c)
    {
        R[i] = c.R; G[i] = c.G; B[i] = c.B;
    }

    /// <summary>Alpha-blends <paramref name="colour"/> over the canvas with alpha = coverage × opacity.</summary>
    public void Composite(CoverageLayer layer, Rgb colour, float opacity)
    {
        var cov = layer.Values;
        for (int i = 0; i < cov.Length; i++)
        {
            float a = cov[i] * opacity;
            if (a <= 0) continue;
            R[i] += (colour.R - R[i]) * a;
            G[i] += (colour.G - G[i]) * a;
            B[i] += (colour.B - B[i]) * a;
        }
    }

    /// <summary>Multiplies the canvas by (1 − coverage × strength): shading that keeps the local hue.</summary>
    public void Darken(CoverageLayer layer, float strength)
    {
        var cov = layer.Values;
        for (int i = 0; i < cov.Length; i++)
        {
            float f = 1f - cov[i] * strength;
            if (f >= 1f) continue;
            R[i] *= f; G[i] *= f; B[i] *= f;
        }
    }

    public RgbImage ToImage()
    {
        var image = new RgbImage(Size, Size);
        var px = image.Pixels;
        for (int i = 0; i < R.Length; i++)
        {
            px[3 * i] = Quantise(R[i]);
            px[3 * i + 1] = Quantise(G[i]);
            px[3 * i + 2] = Quantise(B[i]);
        }
        return image;
    }

    private static byte Quantise(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
