namespace BatchXai.Onnx.Runtime;

/// <summary>Where a session's nodes run.</summary>
public enum OrtExecutionProvider
{
    Cpu,
    /// <summary>
    /// NVIDIA GPU through ONNX Runtime's CUDA provider. Needs <c>libonnxruntime_providers_cuda.so</c> and
    /// <c>libonnxruntime_providers_shared.so</c> from the GPU build of the same ONNX Runtime version beside
    /// <c>libonnxruntime.so.1</c>, plus the CUDA and cuDNN libraries it links against. When anything is
    /// missing the session falls back to CPU (see <see cref="OrtInferenceSession.FallbackReason"/>).
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

    /// <summary>Receives one line when a requested provider is unavailable and the session falls back to CPU.</summary>
    public Action<string>? Log { get; init; }

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
