using System.Buffers;
using System.Runtime.InteropServices;
using BatchXai.Imaging.Native;

namespace BatchXai.Imaging;

/// <summary>PNG via libspng: any bit depth and colour type to RGB8, transparency composited over black.</summary>
internal static class PngDecoder
{
    private const uint MaxSide = 1 << 16;
    private const nuint MaxChunkBytes = 64 << 20;   // bounds memory spent on forged ancillary chunks

    /// <param name="window">16-bit grayscale: the window over the 0–65535 samples (else the image's min–max).</param>
    /// <returns>8-bit pixels, and for 16-bit images their levels at full precision.</returns>
    public static unsafe DecodedImage Decode(ReadOnlySpan<byte> data, IntensityWindow? window = null)
    {
        using var ctx = new SpngContext();
        if (ctx.IsInvalid) throw new InvalidOperationException("spng_ctx_new failed (out of memory?)");

        fixed (byte* source = data)
        {
            Check(SpngNative.spng_set_png_buffer(ctx, source, (nuint)data.Length));
            Check(SpngNative.spng_set_crc_action(ctx, SpngNative.CrcError, SpngNative.CrcDiscard));
            Check(SpngNative.spng_set_image_limits(ctx, MaxSide, MaxSide));
            Check(SpngNative.spng_set_chunk_limits(ctx, MaxChunkBytes, MaxChunkBytes));
            Check(SpngNative.spng_get_ihdr(ctx, out var ihdr));
            ImageDecoder.CheckDimensions("PNG", ihdr.Width, ihdr.Height);

            bool transparent = HasTransparency(ctx, ihdr);
            if (!transparent && ihdr.BitDepth == 16 && ihdr.ColorType == SpngNative.ColorTypeGray)
                return DecodeGray16(ctx, (int)ihdr.Width, (int)ihdr.Height, window);
            var image = new RgbImage((int)ihdr.Width, (int)ihdr.Height);
            if (!transparent && ihdr.BitDepth <= 8)
            {
                DecodeInto(ctx, SpngNative.FormatRgb8, 0, image.Pixels);
                return new DecodedImage(image);
            }
            return new DecodedImage(image, DecodeViaRgba(ctx, ihdr.BitDepth == 16, image));
        }
    }

    /// <summary>
    /// 16-bit grayscale (radiographs): the samples at full precision through the window, or
    /// through the image's own min–max — a 12-bit X-ray stored in 16 bits would be nearly black
    /// if simply cut to its top 8 bits.
    /// </summary>
    private static DecodedImage DecodeGray16(SpngContext ctx, int width, int height, IntensityWindow? window)
    {
        int pixels = checked(width * height);
        var rgba = new byte[checked(pixels * 8)];
        DecodeInto(ctx, SpngNative.FormatRgba16, 0, rgba);
        var samples = MemoryMarshal.Cast<byte, ushort>(rgba);
        var values = new float[pixels];
        for (int p = 0; p < pixels; p++) values[p] = samples[4 * p];
        return DicomRendering.Windowed(values, width, height, window ?? IntensityWindow.MinMax(values));
    }

    private static unsafe bool HasTransparency(SpngContext ctx, SpngNative.Ihdr ihdr)
    {
        if (ihdr.ColorType is SpngNative.ColorTypeGrayAlpha or SpngNative.ColorTypeRgba) return true;
        SpngNative.TrnsBuffer trns;
        return SpngNative.spng_get_trns(ctx, &trns) == 0;
    }

    /// <summary>
    /// 16-bit samples go through RGBA16 so that the reduction to 8 bits rounds (spng's own RGB8
    /// conversion truncates), and alpha is composited at full precision before that rounding.
    /// Returns the 16-bit image's levels (c·a/65535 on the 0–255 scale, unrounded); null for 8 bits.
    /// </summary>
    private static LevelImage? DecodeViaRgba(SpngContext ctx, bool sixteenBit, RgbImage image)
    {
        int bytesPerPixel = sixteenBit ? 8 : 4;
        int length = checked(image.Width * image.Height * bytesPerPixel);
        byte[] rgba = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var buffer = rgba.AsSpan(0, length);
            DecodeInto(ctx, sixteenBit ? SpngNative.FormatRgba16 : SpngNative.FormatRgba8, SpngNative.DecodeTransparency, buffer);
            if (!sixteenBit)
            {
                AlphaCompositing.Rgba8OverBlack(buffer, image.Pixels);
                return null;
            }
            var samples = MemoryMarshal.Cast<byte, ushort>(buffer);
            AlphaCompositing.Rgba16OverBlack(samples, image.Pixels);
            return AlphaCompositing.Rgba16OverBlackLevels(samples, image.Width, image.Height);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static unsafe void DecodeInto(SpngContext ctx, int format, int flags, Span<byte> target)
    {
        Check(SpngNative.spng_decoded_image_size(ctx, format, out nuint needed));
        if (needed != (nuint)target.Length)
            throw new ImageDecodeException($"corrupt PNG: decoder wants {needed} bytes for a {target.Length}-byte image");
        fixed (byte* output = target)
            Check(SpngNative.spng_decode_image(ctx, output, needed, format, flags));
    }

    private static void Check(int error)
    {
        if (error == 0) return;
        string message = SpngNative.Describe(error);
        bool truncated = error is SpngNative.IoEof or SpngNative.UnexpectedEof or SpngNative.IdatTooShort;
        throw new ImageDecodeException(truncated ? $"truncated PNG: {message}" : $"corrupt PNG: {message}");
    }
}
