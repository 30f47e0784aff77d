using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>A shared library the CUDA execution provider needs at run time, and what it is.</summary>
public sealed record CudaLibrary(string FileName, string Provides);

/// <summary>
/// Whether ONNX Runtime's CUDA provider can be used in this process, and if not, what is missing:
/// ONNX Runtime's own provider library (only the GPU package has it) and each CUDA 13 / cuDNN 9 library
/// the loader cannot find, by file name. Found once per device by <see cref="OrtRuntime.Cuda"/>.
/// </summary>
public sealed record CudaAvailability(bool Usable, string? Reason)
{
    /// <summary>ONNX Runtime's CUDA provider; the GPU package puts it beside libonnxruntime.so.</summary>
    public const string ProviderLibrary = "libonnxruntime_providers_cuda.so";

    /// <summary>
    /// What libonnxruntime_providers_cuda.so of Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0 links against (readelf -d:
    /// libcuda.so.1, libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10), and cuDNN 9, which it
    /// opens by name when a session needs it.
    /// </summary>
    public static IReadOnlyList<CudaLibrary> RequiredLibraries { get; } =
    [
        new("libcuda.so.1", "NVIDIA driver"),
        new("libcudart.so.13", "CUDA 13 runtime"),
        new("libcublas.so.13", "cuBLAS, CUDA 13"),
        new("libcublasLt.so.13", "cuBLASLt, CUDA 13"),
        new("libcurand.so.10", "cuRAND, CUDA 13"),
        new("libcudnn.so.9", "cuDNN 9"),
    ];

    /// <summary>The required libraries the dynamic loader cannot open here (it searches LD_LIBRARY_PATH and ld.so.cache).</summary>
    public static IReadOnlyList<CudaLibrary> MissingLibraries(IEnumerable<CudaLibrary> libraries)
    {
        var missing = new List<CudaLibrary>();
        foreach (var library in libraries)
        {
            if (NativeLibrary.TryLoad(library.FileName, out var handle)) NativeLibrary.Free(handle);
            else missing.Add(library);
        }
        return missing;
    }

    internal static CudaAvailability Probe(OrtRuntime runtime, int deviceId)
    {
        var missing = new List<string>();
        var providerPath = Path.Combine(Path.GetDirectoryName(runtime.LibraryPath) ?? ".", ProviderLibrary);
        if (!File.Exists(providerPath))
            missing.Add(OrtRuntime.Flavor == "gpu"
                ? $"{providerPath} (ONNX Runtime's CUDA provider, from Microsoft.ML.OnnxRuntime.Gpu.Linux)"
                : $"{ProviderLibrary} (this is the CPU build of ONNX Runtime; build with -p:OnnxRuntimeFlavor=gpu)");
        missing.AddRange(MissingLibraries(RequiredLibraries).Select(l => $"{l.FileName} ({l.Provides})"));
        if (missing.Count > 0) return new(false, "missing " + string.Join(", ", missing));

        // Every file is there: let ONNX Runtime itself load the provider (driver/toolkit mismatches show here).
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(deviceId);
            return new(true, null);
        }
        catch (OnnxRuntimeException e)
        {
            return new(false, $"ONNX Runtime cannot add the CUDA provider for device {deviceId}: {e.Message}");
        }
    }
}
