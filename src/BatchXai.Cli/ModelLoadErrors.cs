using BatchXai.Coordinator;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Cli;

/// <summary>The errors that mean "the request is unusable" (exit code 2) rather than a failure mid-run.</summary>
public static class ModelLoadErrors
{
    public static bool IsBadInput(Exception e) => e is RunSetupException or ManifestException or OrtException or OrtLibraryNotFoundException
        or BatchXai.Onnx.Graph.OnnxGraphException or BatchXai.Onnx.Model.ModelLoadException;
}
