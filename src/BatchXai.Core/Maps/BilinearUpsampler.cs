using System.Buffers;
using System.Numerics.Tensors;

namespace BatchXai.Core.Maps;

/// <summary>
/// Bilinear resampling with half-pixel centres (PyTorch <c>F.interpolate(mode="bilinear",
/// align_corners=False)</c>, OpenCV <c>INTER_LINEAR</c>), the convention under which the CRM
/// paper's ROI counts are computed "after upsampling to the input size".
/// </summary>
public static class BilinearUpsampler
{
    public static ExplanationMap Resize(ExplanationMap map, int height, int width)
    {
        if (map.Height == height && map.Width == width) return new ExplanationMap(height, width, (float[])map.Values.Clone());
        var dst = new ExplanationMap(height, width);
        Resize(map.Values, map.Height, map.Width, dst.Values, height, width);
        return dst;
    }

    public static void Resize(ReadOnlySpan<float> src, int srcH, int srcW, Span<float> dst, int dstH, int dstW)
    {
        // Separable: each source row is interpolated horizontally once (upsampling, many output
        // rows read the same pair of source rows), then every output row is a vectorised blend
        // of two such rows. The arithmetic per pixel is the scalar form's, in the same order
        // (top = r0 + (r0' - r0)·fx, out = top + (bottom - top)·fy), so results are identical.
        Span<int> x0s = dstW <= 4096 ? stackalloc int[dstW] : new int[dstW];
        Span<float> fxs = dstW <= 4096 ? stackalloc float[dstW] : new float[dstW];
        float scaleX = (float)srcW / dstW, scaleY = (float)srcH / dstH;
        for (int x = 0; x < dstW; x++)
        {
            float sx = Math.Max(0f, (x + 0.5f) * scaleX - 0.5f);
            int x0 = Math.Min((int)sx, srcW - 1);
            x0s[x] = x0;
            fxs[x] = x0 < srcW - 1 ? sx - x0 : 0f;
        }
        var rows = ArrayPool<float>.Shared.Rent(2 * dstW);
        try
        {
            Span<float> top = rows.AsSpan(0, dstW), bottom = rows.AsSpan(dstW, dstW);
            int topRow = -1, bottomRow = -1;
            for (int y = 0; y < dstH; y++)
            {
                float sy = Math.Max(0f, (y + 0.5f) * scaleY - 0.5f);
                int y0 = Math.Min((int)sy, srcH - 1);
                int y1 = Math.Min(y0 + 1, srcH - 1);
                float fy = y0 < srcH - 1 ? sy - y0 : 0f;
                if (y0 != topRow)
                {
                    if (y0 == bottomRow) bottom.CopyTo(top);
                    else Horizontal(src.Slice(y0 * srcW, srcW), x0s, fxs, top);
                    topRow = y0;
                }
                if (y1 != bottomRow)
                {
                    Horizontal(src.Slice(y1 * srcW, srcW), x0s, fxs, bottom);
                    bottomRow = y1;
                }
                var outRow = dst.Slice(y * dstW, dstW);
                TensorPrimitives.Subtract(bottom, top, outRow);
                TensorPrimitives.MultiplyAdd(outRow, fy, top, outRow);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rows);
        }
    }

    private static void Horizontal(ReadOnlySpan<float> row, ReadOnlySpan<int> x0s, ReadOnlySpan<float> fxs, Span<float> result)
    {
        int last = row.Length - 1;
        for (int x = 0; x < result.Length; x++)
        {
            int x0 = x0s[x], x1 = Math.Min(x0 + 1, last);
            result[x] = row[x0] + (row[x1] - row[x0]) * fxs[x];
        }
    }
}
