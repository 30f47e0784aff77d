using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BatchXai.Imaging.Native;

namespace BatchXai.Imaging;

/// <summary>
/// TIFF via libtiff (first page only), read straight from memory through client callbacks: 16-bit
/// grayscale and RGB at full precision (TiffDecoder.Levels.cs), everything else through libtiff's
/// RGBA reader (any photometric/bit depth libtiff can convert) at 8 bits. Errors are captured per
/// handle instead of going to stderr.
/// </summary>
internal static unsafe partial class TiffDecoder
{
    private const nint MaxSingleAllocation = 1 << 30;

    static TiffDecoder()
    {
        // The process-wide handlers print to stderr; every open below installs per-handle ones.
        TiffNative.TIFFSetErrorHandler(0);
        TiffNative.TIFFSetWarningHandler(0);
    }

    private struct MemorySource
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    private struct ErrorSink
    {
        public const int Capacity = 512;
        public fixed byte Text[Capacity];
        public int HasError;

        public string? Message
        {
            get
            {
                if (HasError == 0) return null;
                fixed (byte* text = Text) return Marshal.PtrToStringUTF8((nint)text);
            }
        }
    }

    /// <param name="window">16-bit grayscale: the window over the samples (else the image's min–max).</param>
    /// <returns>8-bit pixels, and for 16-bit grayscale/RGB images their levels at full precision.</returns>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, IntensityWindow? window = null)
    {
        fixed (byte* bytes = data)
        {
            var source = new MemorySource { Data = bytes, Length = data.Length };
            var errors = new ErrorSink();
            using var tiff = Open(&source, &errors);

            if (TiffNative.TIFFGetFieldUInt32(tiff, TiffNative.TagImageWidth, out uint width) != 1 ||
                TiffNative.TIFFGetFieldUInt32(tiff, TiffNative.TagImageLength, out uint height) != 1)
                throw new ImageDecodeException("corrupt TIFF: no image width/length tag");
            ImageDecoder.CheckDimensions("TIFF", width, height);
            if (SixteenBitLayout(tiff) is { } layout)
                return DecodeLevels(tiff, layout, (int)width, (int)height, data.Length, &errors, window);

            byte* why = stackalloc byte[1024];
            if (TiffNative.TIFFRGBAImageOK(tiff, why) != 1)
                throw new ImageDecodeException($"unsupported TIFF: {Marshal.PtrToStringUTF8((nint)why)}");

            var raster = GC.AllocateUninitializedArray<uint>(checked((int)(width * height)));
            fixed (uint* pixels = raster)
            {
                if (TiffNative.TIFFReadRGBAImageOriented(tiff, width, height, pixels,
                        TiffNative.OrientationTopLeft, stopOnError: 1) != 1)
                    throw Failure(errors.Message ?? "RGBA read failed");
            }
            return new DecodedImage(ToRgb(raster, (int)width, (int)height));
        }
    }

    private static TiffHandle Open(MemorySource* source, ErrorSink* errors)
    {
        nint options = TiffNative.TIFFOpenOptionsAlloc();
        try
        {
            TiffNative.TIFFOpenOptionsSetMaxSingleMemAlloc(options, MaxSingleAllocation);
            TiffNative.TIFFOpenOptionsSetErrorHandlerExtR(options, &OnError, errors);
            TiffNative.TIFFOpenOptionsSetWarningHandlerExtR(options, &OnWarning, null);
            nint tif = TiffNative.TIFFClientOpenExt("<memory>", "r", source,
                &Read, &Write, &Seek, &Close, &Size, &Map, &Unmap, options);
            if (tif == 0) throw Failure(errors->Message ?? "not a readable TIFF");
            return new TiffHandle(tif);
        }
        finally
        {
            TiffNative.TIFFOpenOptionsFree(options);
        }
    }

    private static ImageDecodeException Failure(string message) =>
        new(message.Contains("Read error", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("Seek error", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("past end", StringComparison.OrdinalIgnoreCase)
            ? $"truncated TIFF: {message}"
            : $"corrupt TIFF: {message}");

    /// <summary>
    /// libtiff's raster is ABGR-packed (R in the low byte) with colour already multiplied by alpha,
    /// i.e. composited over black, matching the PNG path; alpha is dropped.
    /// </summary>
    private static RgbImage ToRgb(uint[] raster, int width, int height)
    {
        var image = new RgbImage(width, height);
        var rgb = image.Pixels;
        for (int i = 0; i < raster.Length; i++)
        {
            uint abgr = raster[i];
            rgb[3 * i] = (byte)abgr;
            rgb[3 * i + 1] = (byte)(abgr >> 8);
            rgb[3 * i + 2] = (byte)(abgr >> 16);
        }
        return image;
    }

    // ---- libtiff callbacks over a memory buffer ----

    [UnmanagedCallersOnly]
    private static nint Read(void* handle, byte* buffer, nint size)
    {
        var s = (MemorySource*)handle;
        long count = Math.Clamp(s->Length - s->Position, 0, size);
        Buffer.MemoryCopy(s->Data + s->Position, buffer, size, count);
        s->Position += count;
        return (nint)count;
    }

    [UnmanagedCallersOnly]
    private static nint Write(void* handle, byte* buffer, nint size) => 0;   // opened read-only

    [UnmanagedCallersOnly]
    private static ulong Seek(void* handle, ulong offset, int whence)
    {
        var s = (MemorySource*)handle;
        long target = whence switch
        {
            0 => (long)offset,                   // SEEK_SET
            1 => s->Position + (long)offset,     // SEEK_CUR (offset may be a negative toff_t)
            2 => s->Length + (long)offset,       // SEEK_END
            _ => -1,
        };
        if (target < 0) return ulong.MaxValue;   // (toff_t)-1: libtiff's seek failure
        s->Position = target;
        return (ulong)target;
    }

    [UnmanagedCallersOnly]
    private static int Close(void* handle) => 0;

    [UnmanagedCallersOnly]
    private static ulong Size(void* handle) => (ulong)((MemorySource*)handle)->Length;

    /// <summary>"Mapping" the buffer lets libtiff read strips in place instead of copying them.</summary>
    [UnmanagedCallersOnly]
    private static int Map(void* handle, void** data, ulong* size)
    {
        var s = (MemorySource*)handle;
        *data = s->Data;
        *size = (ulong)s->Length;
        return 1;
    }

    [UnmanagedCallersOnly]
    private static void Unmap(void* handle, void* data, ulong size)
    {
    }

    /// <summary>Keeps the first error (later ones tend to be consequences); returning 1 stops the global handler.</summary>
    [UnmanagedCallersOnly]
    private static int OnError(nint tif, void* userData, byte* module, byte* format, nint args)
    {
        var sink = (ErrorSink*)userData;
        if (sink->HasError == 0)
        {
            LibC.vsnprintf(sink->Text, ErrorSink.Capacity, format, args);
            sink->HasError = 1;
        }
        return 1;
    }

    [UnmanagedCallersOnly]
    private static int OnWarning(nint tif, void* userData, byte* module, byte* format, nint args) => 1;
}
