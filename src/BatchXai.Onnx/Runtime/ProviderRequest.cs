namespace BatchXai.Onnx.Runtime;

/// <summary>What a user asks for with <c>--provider</c> / WORKER_PROVIDER.</summary>
public enum ProviderRequest
{
    /// <summary>CUDA when its provider and the CUDA 13 / cuDNN 9 libraries load here, else CPU (silently).</summary>
    Auto,
    Cpu,
    /// <summary>CUDA; when it is unavailable sessions run on CPU and one log line says what is missing.</summary>
    Cuda,
}

/// <summary>Turns a <see cref="ProviderRequest"/> into the provider sessions are created with, and says why (for start lines).</summary>
public static class ProviderChoice
{
    public static (OrtExecutionProvider Provider, string Why) Resolve(ProviderRequest request, OrtRuntime runtime, int cudaDeviceId = 0)
    {
        if (request == ProviderRequest.Cpu) return (OrtExecutionProvider.Cpu, "cpu requested");
        var cuda = runtime.Cuda(cudaDeviceId);
        return (request, cuda.Usable) switch
        {
            (ProviderRequest.Cuda, true) => (OrtExecutionProvider.Cuda, $"cuda requested, CUDA device {cudaDeviceId} usable"),
            (ProviderRequest.Cuda, false) => (OrtExecutionProvider.Cuda, $"cuda requested but unavailable, sessions fall back to CPU: {cuda.Reason}"),
            (_, true) => (OrtExecutionProvider.Cuda, $"auto: CUDA device {cudaDeviceId} usable"),
            _ => (OrtExecutionProvider.Cpu, $"auto: CUDA unavailable ({cuda.Reason})"),
        };
    }

    /// <summary>Parses auto, cpu or cuda (any case); the error names <paramref name="setting"/>.</summary>
    public static ProviderRequest Parse(string? text, string setting) =>
        (text ?? "auto").Trim().ToLowerInvariant() switch
        {
            "auto" or "" => ProviderRequest.Auto,
            "cpu" => ProviderRequest.Cpu,
            "cuda" => ProviderRequest.Cuda,
            var other => throw new ArgumentException($"setting {setting} = '{other}': use auto, cpu or cuda"),
        };
}
