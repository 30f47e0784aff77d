using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// The process-wide ONNX Runtime, as the official <c>Microsoft.ML.OnnxRuntime</c> packages deliver it:
/// the managed API over the native library the build carries (CPU package by default, the CUDA one
/// with <c>-p:OnnxRuntimeFlavor=gpu</c>). <see cref="Shared"/> loads it once, thread-safely, and turns a
/// missing native library into <see cref="OrtLibraryNotFoundException"/> saying how to get it.
/// </summary>
/// <remarks>
/// Not disposable: ORT allows one environment per process, and sessions, finalizers and ORT's own thread
/// pools may use it until the process exits.
/// </remarks>
public sealed class OrtRuntime
{
    /// <summary>File name of the native library inside the NuGet packages (Linux).</summary>
    public const string LibraryFileName = "libonnxruntime.so";

    private static readonly Lazy<OrtRuntime> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static long s_liveValues;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CudaAvailability> _cuda = new();

    private OrtRuntime(OrtEnv env, string libraryPath)
    {
        Env = env;
        LibraryPath = libraryPath;
        Version = env.GetVersionString();
        AvailableProviders = env.GetAvailableProviders();
    }

    /// <summary>The runtime; throws <see cref="OrtLibraryNotFoundException"/> when the native library cannot be loaded.</summary>
    public static OrtRuntime Shared => Instance.Value;

    /// <summary>The native library's version, e.g. "1.31.1".</summary>
    public string Version { get; }

    /// <summary>
    /// Where the native library lies (beside the application, or under its runtimes/&lt;rid&gt;/native folder);
    /// the CUDA provider libraries of the GPU package sit in the same folder.
    /// </summary>
    public string LibraryPath { get; }

    /// <summary>Which native package this build carries: "cpu" or "gpu" (the MSBuild property OnnxRuntimeFlavor).</summary>
    public static string Flavor { get; } =
        typeof(OrtRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "OnnxRuntimeFlavor")?.Value ?? "cpu";

    /// <summary>Execution providers compiled into the library, e.g. "CPUExecutionProvider". A provider listed
    /// here may still be unusable at run time (CUDA also needs the CUDA libraries, driver and GPU).</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    /// <summary>
    /// OrtValues (input tensors, bound outputs and Run results) created by <see cref="OrtInferenceSession"/> and
    /// not yet disposed, over the whole process. Constant across a long run of disposed results means nothing leaks.
    /// </summary>
    public static long LiveOrtValueCount => Interlocked.Read(ref s_liveValues);

    internal OrtEnv Env { get; }

    /// <summary>Whether the CUDA provider can run on device <paramref name="deviceId"/>, and if not what is missing; probed once per device.</summary>
    public CudaAvailability Cuda(int deviceId = 0) => _cuda.GetOrAdd(deviceId, id => CudaAvailability.Probe(this, id));

    internal static void ValueCreated() => Interlocked.Increment(ref s_liveValues);
    internal static void ValueReleased() => Interlocked.Decrement(ref s_liveValues);

    private static OrtRuntime Create()
    {
        var expectedAt = LocateLibrary();
        try
        {
            return new OrtRuntime(OrtEnv.Instance(), expectedAt ?? LibraryFileName);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new OrtLibraryNotFoundException(expectedAt, Flavor, e);
        }
    }

    /// <summary>The native library the build copied: beside the application (RID-specific publish) or under runtimes/.</summary>
    private static string? LocateLibrary()
    {
        var baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, LibraryFileName),
            Path.Combine(baseDir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", LibraryFileName),
            Path.Combine(baseDir, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", LibraryFileName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }
}
