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
        // Precompute the horizontal taps once per call: every row reuses them.
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
        for (int y = 0; y < dstH; y++)
        {
            float sy = Math.Max(0f, (y + 0.5f) * scaleY - 0.5f);
            int y0 = Math.Min((int)sy, srcH - 1);
            int y1 = Math.Min(y0 + 1, srcH - 1);
            float fy = y0 < srcH - 1 ? sy - y0 : 0f;
            var r0 = src.Slice(y0 * srcW, srcW);
            var r1 = src.Slice(y1 * srcW, srcW);
            var outRow = dst.Slice(y * dstW, dstW);
            for (int x = 0; x < dstW; x++)
            {
                int x0 = x0s[x], x1 = Math.Min(x0 + 1, srcW - 1);
                float fx = fxs[x];
                float top = r0[x0] + (r0[x1] - r0[x0]) * fx;
                float bottom = r1[x0] + (r1[x1] - r1[x0]) * fx;
                outRow[x] = top + (bottom - top) * fy;
            }
        }
    }
}
