namespace BatchXai.Imaging;

public enum ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    Tiff,
    Dicom,
}

/// <summary>Identifies a file by its first bytes, never by its name: dataset keys often lie.</summary>
public static class ImageFormatSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        // First: a DICOM preamble may itself look like another format (TIFF/DICOM dual files).
        if (DicomDecoder.IsDicom(data)) return ImageFormat.Dicom;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.StartsWith(PngSignature)) return ImageFormat.Png;
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) return ImageFormat.Tiff;
        return ImageFormat.Unknown;
    }

    /// <summary>"first bytes 47 49 46 38: GIF" — what the failure reason shows for an unsupported file.</summary>
    public static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(4, data.Length)];
        string hex = Convert.ToHexString(head);
        var spaced = string.Join(' ', Enumerable.Range(0, head.Length).Select(i => hex.Substring(i * 2, 2)));
        string? known = GuessOtherFormat(data);
        return known is null ? $"first bytes {spaced}" : $"first bytes {spaced}: {known}";
    }

    private static string? GuessOtherFormat(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("GIF8"u8)) return "GIF";
        if (data.StartsWith("BM"u8)) return "BMP";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "WebP";
        if (data.StartsWith("DICM"u8)) return "DICOM without its 128-byte preamble";
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8)) return "ISO media (HEIF/AVIF)";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]) || data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50])) return "JPEG 2000";
        if (data.StartsWith("%PDF"u8)) return "PDF";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x48, 0x44, 0x46])) return "HDF5";
        return null;
    }
}
