namespace BatchXai.Imaging;

/// <summary>
/// Decodes JPEG, PNG, TIFF and DICOM bytes to 8-bit RGB with the system's native codecs (DICOM through GDCM).
/// Every way a file can be bad (empty, truncated, corrupt, unsupported) ends in an
/// <see cref="ImageDecodeException"/> whose Reason is recorded as that image's failure.
/// Thread-safe: each call uses its own codec context.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Refuse images above this many pixels before allocating: a forged header must not exhaust memory.</summary>
    public const long MaxPixels = 200_000_000;

    /// <param name="data">The whole file.</param>
    /// <param name="maxSide">
    /// When positive, a hint that the caller needs the smaller side to be only this large: JPEGs are
    /// then decoded at the smallest DCT scale (1/2, 1/4, 1/8, ...) that keeps the smaller side
    /// ≥ maxSide. PNG and TIFF cannot decode at reduced scale and come back at full size.
    /// </param>
    /// <param name="window">DICOM and 16-bit grayscale PNG/TIFF: the window to display (else the file's own, else min–max).</param>
    /// <param name="frame">DICOM: which frame of a multi-frame file.</param>
    public static RgbImage Decode(ReadOnlySpan<byte> data, int maxSide = 0, IntensityWindow? window = null, int frame = 0) =>
        DecodeLevels(data, maxSide, window, frame).Pixels;

    /// <summary>
    /// As <see cref="Decode"/>, keeping full precision where the source has more than 8 bits
    /// (16-bit PNG and TIFF, DICOM): <see cref="DecodedImage.Levels"/>, what the model input is computed from.
    /// </summary>
    public static DecodedImage DecodeLevels(ReadOnlySpan<byte> data, int maxSide = 0, IntensityWindow? window = null, int frame = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSide);
        if (data.IsEmpty) throw new ImageDecodeException("empty file (0 bytes)");
        return ImageFormatSniffer.Detect(data) switch
        {
            ImageFormat.Jpeg => new DecodedImage(JpegDecoder.Decode(data, maxSide)),
            ImageFormat.Png => PngDecoder.Decode(data, window),
            ImageFormat.Tiff => TiffDecoder.Decode(data, window),
            ImageFormat.Dicom => DicomRendering.Render(DicomDecoder.Decode(data, frame), window),
            _ => throw new ImageDecodeException($"unsupported format ({ImageFormatSniffer.DescribeUnknown(data)})"),
        };
    }

    internal static void CheckDimensions(string format, long width, long height)
    {
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException($"corrupt {format}: invalid size {width}x{height}");
        if (width * height > MaxPixels)
            throw new ImageDecodeException($"{format} too large: {width}x{height} exceeds {MaxPixels} pixels");
    }
}
