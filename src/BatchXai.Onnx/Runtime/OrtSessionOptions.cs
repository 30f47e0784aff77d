using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>Where a session's nodes run.</summary>
public enum OrtExecutionProvider
{
    Cpu,
    /// <summary>
    /// NVIDIA GPU through ONNX Runtime's CUDA provider: needs the GPU build (<c>-p:OnnxRuntimeFlavor=gpu</c>,
    /// package Microsoft.ML.OnnxRuntime.Gpu.Linux) and the CUDA 13 and cuDNN 9 libraries listed in
    /// <see cref="CudaAvailability.RequiredLibraries"/>. When anything is missing the session falls back to
    /// CPU (see <see cref="OrtInferenceSession.FallbackReason"/>).
    /// </summary>
    Cuda,
}

/// <summary>ONNX Runtime graph optimisation levels (<c>GraphOptimizationLevel</c>; values are the C enum's).</summary>
public enum OrtGraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}

/// <summary>How to create an <see cref="OrtInferenceSession"/>. Plain data; the native options object is
/// built from it when a session is created.</summary>
public sealed record OrtSessionOptions
{
    public static OrtSessionOptions Default { get; } = new();

    /// <summary>Threads used inside one operator (e.g. a Conv). 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads running independent nodes in parallel; only used with <see cref="ParallelExecution"/>. 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Run independent branches of the graph concurrently (ORT_PARALLEL) instead of in sequence.</summary>
    public bool ParallelExecution { get; init; }

    public OrtGraphOptimizationLevel GraphOptimization { get; init; } = OrtGraphOptimizationLevel.All;

    public OrtExecutionProvider ExecutionProvider { get; init; } = OrtExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal, used when <see cref="ExecutionProvider"/> is <see cref="OrtExecutionProvider.Cuda"/>.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// When set, ONNX Runtime times every node and writes a Chrome-trace JSON named
    /// <c>{prefix}_{date}.json</c> when the session is disposed (for finding slow ops; costs time).
    /// </summary>
    public string? ProfilePrefix { get; init; }

    /// <summary>Receives one line (once per delegate) when a requested provider is unavailable and sessions fall back to CPU.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The managed API's options with these settings, and the CUDA provider appended when asked. Caller disposes.</summary>
    internal SessionOptions CreateNative(bool withCuda)
    {
        var native = new SessionOptions();
        try
        {
            native.IntraOpNumThreads = IntraOpThreads;
            native.InterOpNumThreads = InterOpThreads;
            native.ExecutionMode = ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL;
            native.GraphOptimizationLevel = (GraphOptimizationLevel)(int)GraphOptimization;
            if (ProfilePrefix is { } prefix)
            {
                native.ProfileOutputPathPrefix = prefix; // read when profiling is switched on: set it first
                native.EnableProfiling = true;
            }
            if (withCuda) native.AppendExecutionProvider_CUDA(CudaDeviceId);
            return native;
        }
        catch
        {
            native.Dispose();
            throw;
        }
    }

    internal void Validate()
    {
        if (IntraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "IntraOpThreads must be 0 (ORT default) or positive.");
        if (InterOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "InterOpThreads must be 0 (ORT default) or positive.");
        if (CudaDeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(CudaDeviceId), CudaDeviceId, "CudaDeviceId must be a device ordinal (0 or more).");
        if (!Enum.IsDefined(GraphOptimization))
            throw new ArgumentOutOfRangeException(nameof(GraphOptimization), GraphOptimization, "Unknown graph optimisation level.");
    }
}
