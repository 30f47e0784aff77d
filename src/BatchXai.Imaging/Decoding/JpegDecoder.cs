using BatchXai.Imaging.Native;

namespace BatchXai.Imaging;

/// <summary>JPEG via TurboJPEG, with DCT-domain downscaling for large fundus photos.</summary>
internal static class JpegDecoder
{
    public static unsafe RgbImage Decode(ReadOnlySpan<byte> data, int maxSide)
    {
        using var decompressor = new TurboJpegHandle();
        if (decompressor.IsInvalid) throw new InvalidOperationException("tjInitDecompress failed (out of memory?)");

        fixed (byte* source = data)
        {
            nuint length = (nuint)data.Length;
            if (TurboJpegNative.tjDecompressHeader3(decompressor, source, length,
                    out int width, out int height, out _, out int colorspace) != 0)
                ThrowUnlessBenignWarning(decompressor, data);
            // TurboJPEG 2.1 reports success for a stream that ends before the frame header
            // (it takes it for a tables-only stream) and leaves the size unset.
            if (width <= 0 || height <= 0)
                throw Failure(data, decompressor.LastError);

            ImageDecoder.CheckDimensions("JPEG", width, height);
            bool cmyk = colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck;

            var scale = ChooseScale(width, height, maxSide);
            var image = new RgbImage(scale.Scale(width), scale.Scale(height));
            // CMYK and YCCK photos: libjpeg-turbo gives CMYK (YCCK converted), which becomes RGB here.
            var pixels = cmyk ? new byte[checked(image.Width * image.Height * 4)] : image.Pixels;
            fixed (byte* target = pixels)
            {
                if (TurboJpegNative.tjDecompress2(decompressor, source, length, target, image.Width, 0, image.Height,
                        cmyk ? TurboJpegNative.PixelFormatCmyk : TurboJpegNative.PixelFormatRgb,
                        TurboJpegNative.FlagAccurateDct | TurboJpegNative.FlagLimitScans) != 0)
                    ThrowUnlessBenignWarning(decompressor, data);
            }
            if (cmyk) CmykToRgb(pixels, image.Pixels);
            return image;
        }
    }

    /// <summary>
    /// CMYK JPEGs are written inverted (Adobe's convention, which libjpeg and Photoshop follow: 255
    /// is no ink), so R = C·K/255 on the stored values — the same conversion PIL makes.
    /// </summary>
    private static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        for (int p = 0, n = rgb.Length / 3; p < n; p++)
        {
            int k = cmyk[4 * p + 3];
            for (int c = 0; c < 3; c++) rgb[3 * p + c] = (byte)((cmyk[4 * p + c] * k + 127) / 255);
        }
    }

    /// <summary>
    /// The smallest scaling factor ≤ 1 whose output keeps the smaller side ≥ maxSide: the least
    /// IDCT work that still gives the preprocessor enough pixels to resize from.
    /// </summary>
    internal static unsafe TurboJpegNative.ScalingFactor ChooseScale(int width, int height, int maxSide)
    {
        var best = new TurboJpegNative.ScalingFactor { Num = 1, Denom = 1 };
        if (maxSide <= 0) return best;
        int smaller = Math.Min(width, height);
        var factors = TurboJpegNative.tjGetScalingFactors(out int count);
        for (int i = 0; i < count; i++)
        {
            var f = factors[i];
            bool reduces = f.Num * best.Denom < best.Num * f.Denom;
            if (reduces && f.Scale(smaller) >= maxSide) best = f;
        }
        return best;
    }

    /// <summary>
    /// TurboJPEG returns -1 for fatal errors and for libjpeg warnings alike. Warnings after which the
    /// pixels are intact (stray bytes between markers, odd metadata) are accepted; every other
    /// warning means libjpeg filled missing or undecodable data with grey, so the image is refused.
    /// </summary>
    private static void ThrowUnlessBenignWarning(TurboJpegHandle decompressor, ReadOnlySpan<byte> data)
    {
        string message = decompressor.LastError;
        if (!decompressor.LastErrorIsFatal && JpegWarnings.IsBenign(message)) return;
        throw Failure(data, message);
    }

    /// <summary>
    /// libjpeg reports a cut-off file either as "premature end" or as whatever structure it then
    /// misses ("missing SOS marker"); a file without its end-of-image marker is called truncated.
    /// </summary>
    private static ImageDecodeException Failure(ReadOnlySpan<byte> data, string message) =>
        new(JpegWarnings.IsTruncation(message) || !EndsWithEndOfImage(data)
            ? $"truncated JPEG: {message}"
            : $"corrupt JPEG: {message}");

    /// <summary>EOI (FF D9) at the end, allowing the zero padding some writers append.</summary>
    private static bool EndsWithEndOfImage(ReadOnlySpan<byte> data)
    {
        var trimmed = data.TrimEnd((byte)0);
        return trimmed.Length >= 2 && trimmed[^2] == 0xFF && trimmed[^1] == 0xD9;
    }
}

internal static class JpegWarnings
{
    // libjpeg message texts (jerror.h) for warnings that leave the decoded pixels correct.
    private static readonly string[] Benign =
    [
        "extraneous bytes before marker",        // JWRN_EXTRANEOUS_DATA: decoder resynchronised
        "Unknown Adobe color transform code",    // JWRN_ADOBE_XFORM
        "Invalid SOS parameters for sequential", // JWRN_NOT_SEQUENTIAL
        "unknown JFIF revision number",          // JWRN_JFIF_MAJOR
        "bad ICC marker",                        // JWRN_BOGUS_ICC: colour profile ignored
    ];

    public static bool IsBenign(string message) =>
        Benign.Any(b => message.Contains(b, StringComparison.OrdinalIgnoreCase));

    /// <summary>"Premature end of JPEG file" and "premature end of data segment".</summary>
    public static bool IsTruncation(string message) =>
        message.Contains("premature end", StringComparison.OrdinalIgnoreCase);
}
