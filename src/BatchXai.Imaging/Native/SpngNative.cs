using System.Runtime.InteropServices;

namespace BatchXai.Imaging.Native;

/// <summary>libspng 0.7 API (Debian libspng0). Constants from spng.h.</summary>
internal static partial class SpngNative
{
    private const string Lib = "libspng.so.0";

    public const int IoEof = -1;                // SPNG_IO_EOF: input ended early
    public const int IdatTooShort = 62;         // SPNG_EIDAT_TOO_SHORT
    public const int UnexpectedEof = 68;        // SPNG_EOF
    public const int FormatRgba8 = 1;           // SPNG_FMT_RGBA8
    public const int FormatRgba16 = 2;          // SPNG_FMT_RGBA16 (host byte order)
    public const int FormatRgb8 = 4;            // SPNG_FMT_RGB8
    public const int DecodeTransparency = 1;    // SPNG_DECODE_TRNS
    public const int CrcError = 0;              // SPNG_CRC_ERROR
    public const int CrcDiscard = 1;            // SPNG_CRC_DISCARD

    public const byte ColorTypeGray = 0;
    public const byte ColorTypeGrayAlpha = 4;
    public const byte ColorTypeRgba = 6;

    [StructLayout(LayoutKind.Sequential)]
    public struct Ihdr
    {
        public uint Width;
        public uint Height;
        public byte BitDepth;
        public byte ColorType;
        public byte CompressionMethod;
        public byte FilterMethod;
        public byte InterlaceMethod;
    }

    /// <summary>struct spng_trns is 268 bytes; only its presence matters here.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 272)]
    public struct TrnsBuffer;

    [LibraryImport(Lib)]
    public static partial nint spng_ctx_new(int flags);

    [LibraryImport(Lib)]
    public static partial void spng_ctx_free(nint ctx);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_set_png_buffer(SpngContext ctx, byte* buf, nuint size);

    [LibraryImport(Lib)]
    public static partial int spng_set_crc_action(SpngContext ctx, int critical, int ancillary);

    [LibraryImport(Lib)]
    public static partial int spng_set_image_limits(SpngContext ctx, uint width, uint height);

    [LibraryImport(Lib)]
    public static partial int spng_set_chunk_limits(SpngContext ctx, nuint chunkSize, nuint cacheSize);

    [LibraryImport(Lib)]
    public static partial int spng_get_ihdr(SpngContext ctx, out Ihdr ihdr);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_get_trns(SpngContext ctx, TrnsBuffer* trns);

    [LibraryImport(Lib)]
    public static partial int spng_decoded_image_size(SpngContext ctx, int format, out nuint length);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_decode_image(SpngContext ctx, byte* output, nuint length, int format, int flags);

    [LibraryImport(Lib)]
    public static partial nint spng_strerror(int error);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(spng_strerror(error)) ?? $"error {error}";
}

/// <summary>Owns one spng decoding context.</summary>
internal sealed class SpngContext : SafeHandle
{
    public SpngContext() : base(0, ownsHandle: true)
    {
        SetHandle(SpngNative.spng_ctx_new(0));
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        SpngNative.spng_ctx_free(handle);
        return true;
    }
}
