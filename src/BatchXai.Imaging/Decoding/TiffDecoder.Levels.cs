using BatchXai.Imaging.Native;

namespace BatchXai.Imaging;

/// <summary>
/// 16-bit grayscale and RGB TIFF (a 12-bit radiograph stored in 16 bits, a 16-bit microscope or
/// scanner image) read as stored, strip by strip or tile by tile, so the levels keep every bit —
/// libtiff's RGBA reader would round them to 8 bits first. The same rules as 16-bit PNG: gray
/// through the window (else its own min–max), MinIsWhite inverted; RGB scaled from 0–65535.
/// </summary>
internal static unsafe partial class TiffDecoder
{
    private readonly record struct Layout(int Samples, bool Signed, bool Invert, bool Separate, int Orientation);

    /// <summary>
    /// The layout when this is a 16-bit image read here; null when it is not (8-bit, palette, YCbCr,
    /// CMYK, with alpha, ...: libtiff's RGBA reader). Refuses the 16-bit gray/RGB images neither
    /// reader renders faithfully, naming the tag.
    /// </summary>
    private static Layout? SixteenBitLayout(TiffHandle tiff)
    {
        TiffNative.TIFFGetFieldDefaultedUInt16(tiff, TiffNative.TagBitsPerSample, out ushort bits);
        if (bits != 16 || TiffNative.TIFFGetFieldUInt16(tiff, TiffNative.TagPhotometric, out ushort photometric) != 1)
            return null;
        TiffNative.TIFFGetFieldDefaultedUInt16(tiff, TiffNative.TagSamplesPerPixel, out ushort samples);
        bool gray = samples == 1 && photometric is TiffNative.PhotometricMinIsBlack or TiffNative.PhotometricMinIsWhite;
        bool rgb = samples == 3 && photometric == TiffNative.PhotometricRgb;
        if (!gray && !rgb) return null;

        TiffNative.TIFFGetFieldDefaultedUInt16(tiff, TiffNative.TagSampleFormat, out ushort format);
        if (format != TiffNative.SampleFormatUInt && !(gray && format == TiffNative.SampleFormatInt))
            throw new ImageDecodeException($"unsupported TIFF: SampleFormat (tag 339) = {format} in a 16-bit {(gray ? "grayscale" : "RGB")} image " +
                                           $"(read: unsigned integers{(gray ? " or signed integers" : "")})");
        TiffNative.TIFFGetFieldDefaultedUInt16(tiff, TiffNative.TagOrientation, out ushort orientation);
        if (orientation is < 1 or > 4)
            throw new ImageDecodeException($"unsupported TIFF: Orientation (tag 274) = {orientation} in a 16-bit image (read: 1–4, the unrotated ones)");
        TiffNative.TIFFGetFieldDefaultedUInt16(tiff, TiffNative.TagPlanarConfig, out ushort planar);
        return new Layout(samples, format == TiffNative.SampleFormatInt, photometric == TiffNative.PhotometricMinIsWhite,
            samples > 1 && planar == TiffNative.PlanarSeparate, orientation);
    }

    private static DecodedImage DecodeLevels(TiffHandle tiff, Layout layout, int width, int height, long fileLength, ErrorSink* errors, IntensityWindow? window)
    {
        var values = ReadSamples(tiff, layout, width, height, fileLength, errors);
        if (layout.Samples == 3)
            return DicomRendering.Map(values, width, height, 3, v => v * (255.0 / 65535.0), invert: false);
        return DicomRendering.Windowed(values, width, height, window ?? IntensityWindow.MinMax(values), layout.Invert);
    }

    /// <summary>Every sample as a float, pixel-interleaved, top row first (Orientation 2–4 mirrored back).</summary>
    private static float[] ReadSamples(TiffHandle tiff, Layout layout, int width, int height, long fileLength, ErrorSink* errors)
    {
        var values = new float[checked(width * height * layout.Samples)];
        int planes = layout.Separate ? layout.Samples : 1;
        int perPixel = layout.Separate ? 1 : layout.Samples;
        bool tiled = TiffNative.TIFFIsTiled(tiff) != 0;

        uint blockWidth = (uint)width, blockHeight;
        if (tiled)
        {
            if (TiffNative.TIFFGetFieldUInt32(tiff, TiffNative.TagTileWidth, out blockWidth) != 1 ||
                TiffNative.TIFFGetFieldUInt32(tiff, TiffNative.TagTileLength, out blockHeight) != 1 || blockWidth == 0 || blockHeight == 0)
                throw new ImageDecodeException("corrupt TIFF: tiled without TileWidth (322) / TileLength (323)");
        }
        else
        {
            TiffNative.TIFFGetFieldDefaultedUInt32(tiff, TiffNative.TagRowsPerStrip, out blockHeight);
            blockHeight = Math.Clamp(blockHeight, 1, (uint)height);
        }
        long blockSamples = (long)blockWidth * blockHeight * perPixel;
        if (blockSamples * sizeof(ushort) > MaxSingleAllocation)
            throw new ImageDecodeException($"corrupt TIFF: {blockWidth}x{blockHeight} {(tiled ? "tile" : "strip")} exceeds {MaxSingleAllocation} bytes");
        var block = new ushort[blockSamples];

        fixed (ushort* buffer = block)
        {
            for (int plane = 0; plane < planes; plane++)
            for (uint y0 = 0; y0 < height; y0 += blockHeight)
            for (uint x0 = 0; x0 < width; x0 += blockWidth)
            {
                int rows = (int)Math.Min(blockHeight, height - y0), columns = (int)Math.Min(blockWidth, width - x0);
                if (tiled)
                {
                    uint tile = TiffNative.TIFFComputeTile(tiff, x0, y0, 0, (ushort)plane);
                    nint size = (nint)(blockSamples * sizeof(ushort));
                    nint got = TiffNative.TIFFReadEncodedTile(tiff, tile, buffer, size);
                    if (got != size) throw ShortBlock(tiff, "tile", tile, got, size, fileLength, errors);
                }
                else
                {
                    uint strip = TiffNative.TIFFComputeStrip(tiff, y0, (ushort)plane);
                    nint size = (nint)((long)rows * blockWidth * perPixel * sizeof(ushort));
                    nint got = TiffNative.TIFFReadEncodedStrip(tiff, strip, buffer, size);
                    if (got != size) throw ShortBlock(tiff, "strip", strip, got, size, fileLength, errors);
                }
                Place(block, (int)blockWidth, perPixel, plane, (int)x0, (int)y0, columns, rows, layout, values, width, height);
            }
        }
        return values;
    }

    /// <summary>
    /// libtiff's own error when it gave one; else a block whose stored bytes run past the end of the
    /// data (libtiff fails those silently for memory-mapped input) or that decodes short is a cut file.
    /// </summary>
    private static ImageDecodeException ShortBlock(TiffHandle tiff, string kind, uint index, nint got, nint size, long fileLength, ErrorSink* errors)
    {
        if (errors->Message is { } message) return Failure(message);
        ulong end = TiffNative.TIFFGetStrileOffset(tiff, index) + TiffNative.TIFFGetStrileByteCount(tiff, index);
        if (end > (ulong)fileLength)
            return new ImageDecodeException($"truncated TIFF: {kind} {index} ends at byte {end} of a {fileLength}-byte file");
        return got >= 0
            ? new ImageDecodeException($"truncated TIFF: {kind} {index} decodes to {got} of {size} bytes")
            : new ImageDecodeException($"corrupt TIFF: {kind} {index} could not be read");
    }

    /// <summary>Copies one decoded strip or tile into the interleaved image (libtiff has already put the samples in native byte order).</summary>
    private static void Place(ushort[] block, int blockWidth, int perPixel, int plane, int x0, int y0, int columns, int rows,
        Layout layout, float[] values, int width, int height)
    {
        bool mirrorX = layout.Orientation is 2 or 3, mirrorY = layout.Orientation is 3 or 4;
        for (int r = 0; r < rows; r++)
        {
            int y = mirrorY ? height - 1 - (y0 + r) : y0 + r;
            for (int c = 0; c < columns; c++)
            {
                int x = mirrorX ? width - 1 - (x0 + c) : x0 + c;
                int source = (r * blockWidth + c) * perPixel, target = (y * width + x) * layout.Samples + plane;
                for (int s = 0; s < perPixel; s++)
                {
                    ushort raw = block[source + s];
                    values[target + s] = layout.Signed ? (short)raw : raw;
                }
            }
        }
    }
}
