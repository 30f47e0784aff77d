using System.Runtime.InteropServices;

namespace BatchXai.Imaging.Native;

internal static unsafe partial class LibC
{
    /// <summary>Formats a C library's printf-style message; <paramref name="args"/> is the callback's va_list, passed through untouched.</summary>
    [LibraryImport("libc.so.6")]
    public static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);
}
