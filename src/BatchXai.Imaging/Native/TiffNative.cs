using System.Runtime.InteropServices;

namespace BatchXai.Imaging.Native;

/// <summary>libtiff 4.5 API (Debian libtiff6). Constants from tiff.h / tiffio.h.</summary>
internal static unsafe partial class TiffNative
{
    private const string Lib = "libtiff.so.6";

    public const uint TagImageWidth = 256;
    public const uint TagImageLength = 257;
    public const uint TagBitsPerSample = 258;
    public const uint TagPhotometric = 262;
    public const uint TagOrientation = 274;
    public const uint TagSamplesPerPixel = 277;
    public const uint TagRowsPerStrip = 278;
    public const uint TagPlanarConfig = 284;
    public const uint TagTileWidth = 322;
    public const uint TagTileLength = 323;
    public const uint TagSampleFormat = 339;

    public const int OrientationTopLeft = 1;
    public const ushort PhotometricMinIsWhite = 0;
    public const ushort PhotometricMinIsBlack = 1;
    public const ushort PhotometricRgb = 2;
    public const ushort PlanarSeparate = 2;
    public const ushort SampleFormatUInt = 1;
    public const ushort SampleFormatInt = 2;

    [LibraryImport(Lib)]
    public static partial nint TIFFSetErrorHandler(nint handler);

    [LibraryImport(Lib)]
    public static partial nint TIFFSetWarningHandler(nint handler);

    [LibraryImport(Lib)]
    public static partial nint TIFFOpenOptionsAlloc();

    [LibraryImport(Lib)]
    public static partial void TIFFOpenOptionsFree(nint options);

    [LibraryImport(Lib)]
    public static partial void TIFFOpenOptionsSetMaxSingleMemAlloc(nint options, nint maxBytes);

    [LibraryImport(Lib)]
    public static partial void TIFFOpenOptionsSetErrorHandlerExtR(nint options,
        delegate* unmanaged<nint, void*, byte*, byte*, nint, int> handler, void* userData);

    [LibraryImport(Lib)]
    public static partial void TIFFOpenOptionsSetWarningHandlerExtR(nint options,
        delegate* unmanaged<nint, void*, byte*, byte*, nint, int> handler, void* userData);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint TIFFClientOpenExt(string name, string mode, void* clientData,
        delegate* unmanaged<void*, byte*, nint, nint> read,
        delegate* unmanaged<void*, byte*, nint, nint> write,
        delegate* unmanaged<void*, ulong, int, ulong> seek,
        delegate* unmanaged<void*, int> close,
        delegate* unmanaged<void*, ulong> size,
        delegate* unmanaged<void*, void**, ulong*, int> map,
        delegate* unmanaged<void*, void*, ulong, void> unmap,
        nint options);

    [LibraryImport(Lib)]
    public static partial void TIFFClose(nint tif);

    /// <summary>
    /// TIFFGetField is variadic in C. On x86-64 System V and AArch64 Linux a variadic callee reads
    /// integer and pointer arguments from the same registers as a prototyped call, so binding it
    /// with the one pointer argument used here is sound on the platforms this project ships for.
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "TIFFGetField")]
    public static partial int TIFFGetFieldUInt32(TiffHandle tif, uint tag, out uint value);

    /// <summary>TIFFGetField for a uint16 tag (same ABI argument as above).</summary>
    [LibraryImport(Lib, EntryPoint = "TIFFGetField")]
    public static partial int TIFFGetFieldUInt16(TiffHandle tif, uint tag, out ushort value);

    /// <summary>TIFFGetField, or the TIFF 6.0 default when the tag is absent (PlanarConfig, SampleFormat, ...).</summary>
    [LibraryImport(Lib, EntryPoint = "TIFFGetFieldDefaulted")]
    public static partial int TIFFGetFieldDefaultedUInt16(TiffHandle tif, uint tag, out ushort value);

    [LibraryImport(Lib, EntryPoint = "TIFFGetFieldDefaulted")]
    public static partial int TIFFGetFieldDefaultedUInt32(TiffHandle tif, uint tag, out uint value);

    [LibraryImport(Lib)]
    public static partial int TIFFIsTiled(TiffHandle tif);

    [LibraryImport(Lib)]
    public static partial uint TIFFComputeStrip(TiffHandle tif, uint row, ushort sample);

    [LibraryImport(Lib)]
    public static partial uint TIFFComputeTile(TiffHandle tif, uint x, uint y, uint z, ushort sample);

    /// <summary>Decompressed strip, samples in native byte order; returns bytes read or -1.</summary>
    [LibraryImport(Lib)]
    public static partial nint TIFFReadEncodedStrip(TiffHandle tif, uint strip, void* buffer, nint size);

    [LibraryImport(Lib)]
    public static partial nint TIFFReadEncodedTile(TiffHandle tif, uint tile, void* buffer, nint size);

    /// <summary>Where a strip or tile's stored bytes lie in the file (index as TIFFComputeStrip/Tile give it).</summary>
    [LibraryImport(Lib)]
    public static partial ulong TIFFGetStrileOffset(TiffHandle tif, uint strile);

    [LibraryImport(Lib)]
    public static partial ulong TIFFGetStrileByteCount(TiffHandle tif, uint strile);

    [LibraryImport(Lib)]
    public static partial int TIFFRGBAImageOK(TiffHandle tif, byte* message1024);

    [LibraryImport(Lib)]
    public static partial int TIFFReadRGBAImageOriented(TiffHandle tif, uint width, uint height, uint* raster,
        int orientation, int stopOnError);
}

/// <summary>Owns an open TIFF; closing it also runs our close callback (a no-op for memory input).</summary>
internal sealed class TiffHandle : SafeHandle
{
    public TiffHandle(nint tif) : base(0, ownsHandle: true)
    {
        SetHandle(tif);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        TiffNative.TIFFClose(handle);
        return true;
    }
}
