using System.Runtime.InteropServices;
using BatchXai.Onnx.Runtime.Native;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// The process-wide ONNX Runtime: the loaded native library, its C API function table and one
/// <c>OrtEnv</c>. Get it with <see cref="Shared"/> (found by <see cref="OrtLibraryLocator"/>) or pin a
/// location first with <see cref="Load"/>; both are thread-safe and load a given library once.
/// </summary>
/// <remarks>
/// A runtime lives until the process exits and is deliberately not disposable: the library is never
/// unloaded and the OrtEnv never released, because sessions, finalizers and ORT's own thread pools
/// may still use them, and ORT allows one environment per process anyway.
/// </remarks>
public sealed unsafe class OrtRuntime
{
    /// <summary>
    /// C API version requested from <c>OrtApiBase.GetApi</c>. Every table entry this binding uses
    /// exists from version 11 on (see <see cref="OrtApiOrdinals"/>); 17 (ONNX Runtime 1.17) is asked so
    /// that the library is known to be recent. Tables are append-only, so 1.30 serves it unchanged.
    /// </summary>
    public const uint RequestedApiVersion = 17;

    private const int LogLevelWarning = 2; // ORT_LOGGING_LEVEL_WARNING

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, OrtRuntime> LoadedByLocation = new(StringComparer.Ordinal);
    private static volatile OrtRuntime? s_shared;

    private OrtRuntime(string libraryPath, string version, OrtApi api, IntPtr env, IntPtr defaultAllocator,
                       IReadOnlyList<string> availableProviders)
    {
        LibraryPath = libraryPath;
        Version = version;
        Api = api;
        Env = env;
        DefaultAllocator = defaultAllocator;
        AvailableProviders = availableProviders;
    }

    /// <summary>
    /// The runtime used when none is passed: the first one <see cref="Load"/> returned, or else one
    /// loaded now from the default locations. Throws <see cref="OrtLibraryNotFoundException"/> when no
    /// library can be found.
    /// </summary>
    public static OrtRuntime Shared
    {
        get
        {
            var shared = s_shared;
            if (shared is not null) return shared;
            lock (Gate) return s_shared ??= LoadLocked(null);
        }
    }

    /// <summary>
    /// Loads ONNX Runtime from <paramref name="libraryPath"/> (or, when null, from
    /// <c>BATCHXAI_ORT_LIB</c>, the tools folder, then the system search) and returns its runtime; the
    /// same library loaded twice gives the same instance. The first runtime loaded becomes <see cref="Shared"/>.
    /// </summary>
    public static OrtRuntime Load(string? libraryPath = null)
    {
        lock (Gate)
        {
            var runtime = LoadLocked(libraryPath);
            s_shared ??= runtime;
            return runtime;
        }
    }

    /// <summary>The file (or, for a system search, the name) the library was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>The library's version, e.g. "1.30.0" (<c>OrtApiBase.GetVersionString</c>).</summary>
    public string Version { get; }

    /// <summary>Execution providers compiled into the library, e.g. "CPUExecutionProvider". A provider listed
    /// here may still be unusable at run time (CUDA also needs its provider libraries, driver and GPU).</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    /// <summary>
    /// OrtValues (input tensors and Run outputs) created through this binding and not yet released, over
    /// the whole process. Constant across a long run of disposed results means nothing leaks.
    /// </summary>
    public static long LiveOrtValueCount => OrtApi.LiveValueCount;

    internal OrtApi Api { get; }

    /// <summary>The process's OrtEnv; intentionally never released (see class remarks).</summary>
    internal IntPtr Env { get; }

    /// <summary>ORT's default CPU allocator, used to free the strings the metadata calls return. Not owned.</summary>
    internal IntPtr DefaultAllocator { get; }

    private static OrtRuntime LoadLocked(string? libraryPath)
    {
        var (handle, loadedFrom) = OrtLibraryLocator.Load(libraryPath);
        if (LoadedByLocation.TryGetValue(loadedFrom, out var existing))
        {
            NativeLibrary.Free(handle); // drop the extra reference this second load took
            return existing;
        }
        var runtime = Initialize(handle, loadedFrom);
        LoadedByLocation[loadedFrom] = runtime;
        return runtime;
    }

    private static OrtRuntime Initialize(IntPtr library, string location)
    {
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBaseExport))
            throw new InvalidOperationException(
                $"'{location}' loaded but does not export OrtGetApiBase, so it is not an ONNX Runtime library. " +
                OrtLibraryLocator.HowToInstall);

        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        var apiBase = (IntPtr*)((delegate* unmanaged[Cdecl]<IntPtr>)getApiBaseExport)();
        var getApi = (delegate* unmanaged[Cdecl]<uint, IntPtr>)apiBase[0];
        var getVersionString = (delegate* unmanaged[Cdecl]<byte*>)apiBase[1];

        var version = Marshal.PtrToStringUTF8((IntPtr)getVersionString()) ?? "unknown";
        var table = getApi(RequestedApiVersion);
        if (table == IntPtr.Zero)
            throw new NotSupportedException(
                $"ONNX Runtime {version} at '{location}' does not provide C API version {RequestedApiVersion}; " +
                $"BatchXai needs ONNX Runtime 1.{RequestedApiVersion} or newer. {OrtLibraryLocator.HowToInstall}");

        var api = new OrtApi(table);
        IntPtr env, allocator;
        fixed (byte* logId = "BatchXai\0"u8)
            api.Check(api.CreateEnv(LogLevelWarning, logId, &env), "CreateEnv");
        api.Check(api.GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
        return new OrtRuntime(location, version, api, env, allocator, ReadAvailableProviders(api));
    }

    private static string[] ReadAvailableProviders(OrtApi api)
    {
        byte** names;
        int count;
        api.Check(api.GetAvailableProviders(&names, &count), "GetAvailableProviders");
        try
        {
            var providers = new string[count];
            for (var i = 0; i < count; i++) providers[i] = Marshal.PtrToStringUTF8((IntPtr)names[i]) ?? "";
            return providers;
        }
        finally
        {
            api.Check(api.ReleaseAvailableProviders(names, count), "ReleaseAvailableProviders");
        }
    }
}
