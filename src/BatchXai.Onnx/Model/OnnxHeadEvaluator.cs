using BatchXai.Core.Heads;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Onnx.Model;

/// <summary>
/// Runs a classifier's head — the subgraph from the target layer to the logits, extracted by
/// <see cref="Graph.GraphEditor.ExtractSubgraph"/> — as its own ONNX Runtime session.
/// </summary>
public sealed class OnnxHeadEvaluator(OrtInferenceSession session, string inputName, string logitsName, int channels, int height, int width, int classes)
    : IHeadEvaluator, IDisposable
{
    public int PreferredBatchSize { get; init; } = 64;

    public void Evaluate(ReadOnlyMemory<float> features, int count, Span<float> logits)
    {
        using var result = session.Run([OrtInputTensor.Float(inputName, features, count, channels, height, width)], logitsName);
        var output = result[0];
        if (output.ElementCount != (long)count * classes)
            throw new ModelLoadException($"head returned {output.ElementCount} values for {count} feature tensors, expected {count * classes}");
        output.CopyTo(logits[..(count * classes)]);
    }

    public void Dispose() => session.Dispose();
}
