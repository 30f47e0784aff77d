namespace BatchXai.Onnx.Runtime;

/// <summary>The ONNX Runtime native library that the NuGet package should have put beside the application could not be loaded.</summary>
public sealed class OrtLibraryNotFoundException : DllNotFoundException
{
    public OrtLibraryNotFoundException(string? expectedAt, string flavor, Exception inner)
        : base($"The ONNX Runtime native library ({OrtRuntime.LibraryFileName}, {flavor} package) could not be loaded" +
               (expectedAt is null ? $" (not found under {AppContext.BaseDirectory})" : $" from {expectedAt}") +
               $": {inner.GetBaseException().Message} It comes with the NuGet package " +
               (flavor == "gpu" ? "Microsoft.ML.OnnxRuntime.Gpu.Linux" : "Microsoft.ML.OnnxRuntime") +
               ": build or publish the application with `dotnet build`/`dotnet publish` (not by copying the bin folder " +
               "without its runtimes/ subfolder).", inner)
    {
    }
}
