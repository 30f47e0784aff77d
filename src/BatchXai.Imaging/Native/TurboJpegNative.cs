using System.Runtime.InteropServices;

namespace BatchXai.Imaging.Native;

/// <summary>TurboJPEG 2.x API (Debian libturbojpeg0). Constants from turbojpeg.h.</summary>
internal static partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";

    public const int PixelFormatRgb = 0;        // TJPF_RGB
    public const int PixelFormatCmyk = 11;      // TJPF_CMYK
    public const int ColorspaceCmyk = 3;        // TJCS_CMYK
    public const int ColorspaceYcck = 4;        // TJCS_YCCK
    public const int ErrorFatal = 1;            // TJERR_FATAL (TJERR_WARNING = 0)
    public const int FlagAccurateDct = 4096;    // TJFLAG_ACCURATEDCT
    public const int FlagLimitScans = 32768;    // TJFLAG_LIMITSCANS: refuse progressive files with absurd scan counts

    [StructLayout(LayoutKind.Sequential)]
    public struct ScalingFactor
    {
        public int Num;
        public int Denom;

        /// <summary>TJSCALED: ceil(dimension * num / denom).</summary>
        public readonly int Scale(int dimension) => (dimension * Num + Denom - 1) / Denom;
    }

    [LibraryImport(Lib)]
    public static partial nint tjInitDecompress();

    [LibraryImport(Lib)]
    public static partial int tjDestroy(nint handle);

    // unsigned long is 64-bit on LP64 Linux.
    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompressHeader3(TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize,
        out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(Lib)]
    public static unsafe partial ScalingFactor* tjGetScalingFactors(out int count);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompress2(TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize,
        byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib)]
    public static partial nint tjGetErrorStr2(nint handle);

    [LibraryImport(Lib)]
    public static partial int tjGetErrorCode(nint handle);
}

/// <summary>Owns one TurboJPEG decompressor instance (not thread-safe; one per decode).</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle() : base(0, ownsHandle: true)
    {
        SetHandle(TurboJpegNative.tjInitDecompress());
    }

    public override bool IsInvalid => handle == 0;

    public string LastError => Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(handle)) ?? "unknown error";

    public bool LastErrorIsFatal => TurboJpegNative.tjGetErrorCode(handle) == TurboJpegNative.ErrorFatal;

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
