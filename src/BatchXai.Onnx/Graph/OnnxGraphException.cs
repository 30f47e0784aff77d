namespace BatchXai.Onnx.Graph;

/// <summary>A model that cannot be read, or an edit that cannot be made to it.</summary>
public sealed class OnnxGraphException : Exception
{
    public OnnxGraphException(string message) : base(message) { }

    public OnnxGraphException(string message, Exception inner) : base(message, inner) { }
}
