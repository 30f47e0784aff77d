using System.Numerics.Tensors;

namespace BatchXai.Core.Paths;

/// <summary>
/// Separable Gaussian blur of every channel of a sample in model-input space (the per-channel
/// normalisation is affine and the kernel sums to one, so this equals blurring the pixels and
/// normalising). The kernel is cut at 3σ and renormalised over the taps inside the image, so any
/// σ — even one wider than the image (Blur IG's start) — gives a weighted mean of real pixels.
/// </summary>
public sealed class GaussianBlur(InputGeometry geometry)
{
    private readonly float[] _plane = new float[geometry.PlaneSize], _pass = new float[geometry.PlaneSize], _out = new float[geometry.PlaneSize];

    /// <summary>Below this σ (in pixels) the sampled kernel is the identity to float precision.</summary>
    public const double IdentitySigma = 0.05;

    public void Apply(ReadOnlySpan<float> sample, double sigma, Span<float> destination)
    {
        if (sigma < IdentitySigma) { sample.CopyTo(destination); return; }
        int h = geometry.Height, w = geometry.Width;
        var (rowKernel, rowNorm) = Kernel(sigma, w);
        var (columnKernel, columnNorm) = Kernel(sigma, h);
        for (int c = 0; c < geometry.Channels; c++)
        {
            geometry.ReadPlane(sample, c, _plane);
            // Along rows: out[y, x] = Σ_k w_k in[y, x+k] / Σ_{k in bounds} w_k.
            Array.Clear(_pass);
            int r = rowKernel.Length / 2;
            for (int y = 0; y < h; y++)
            {
                var input = _plane.AsSpan(y * w, w);
                var output = _pass.AsSpan(y * w, w);
                for (int k = -r; k <= r; k++)
                {
                    int lo = Math.Max(0, -k), hi = Math.Min(w, w - k);
                    TensorPrimitives.MultiplyAdd(input[(lo + k)..(hi + k)], rowKernel[k + r], output[lo..hi], output[lo..hi]);
                }
                TensorPrimitives.Multiply(output, rowNorm, output);
            }
            // Along columns, whole rows at a time.
            Array.Clear(_out);
            r = columnKernel.Length / 2;
            for (int y = 0; y < h; y++)
            {
                var output = _out.AsSpan(y * w, w);
                for (int k = Math.Max(-r, -y); k <= Math.Min(r, h - 1 - y); k++)
                    TensorPrimitives.MultiplyAdd(_pass.AsSpan((y + k) * w, w), columnKernel[k + r], output, output);
                TensorPrimitives.Multiply(output, columnNorm[y], output);
            }
            geometry.WritePlane(_out, c, destination);
        }
    }

    /// <summary>Taps exp(−k²/2σ²) for |k| ≤ min(⌈3σ⌉, n−1), and 1/Σ(in-bounds taps) per position.</summary>
    private static (float[] Taps, float[] InverseNorm) Kernel(double sigma, int n)
    {
        int r = Math.Min((int)Math.Ceiling(3 * sigma), n - 1);
        var taps = new float[2 * r + 1];
        for (int k = -r; k <= r; k++) taps[k + r] = (float)Math.Exp(-k * k / (2 * sigma * sigma));
        var inverse = new float[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int k = Math.Max(-r, -i); k <= Math.Min(r, n - 1 - i); k++) sum += taps[k + r];
            inverse[i] = (float)(1 / sum);
        }
        return (taps, inverse);
    }
}
