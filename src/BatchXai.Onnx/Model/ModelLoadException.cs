namespace BatchXai.Onnx.Model;

/// <summary>A model that passed manifest validation but cannot be explained as described (e.g. a head that is not what the manifest says).</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
