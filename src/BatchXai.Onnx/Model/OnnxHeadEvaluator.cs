using System.Buffers;
using BatchXai.Core.Heads;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Onnx.Model;

/// <summary>
/// Runs a classifier's head — the subgraph from the target layer to the logits, extracted by
/// <see cref="Graph.GraphEditor.ExtractSubgraph"/> — as its own ONNX Runtime session, in float64
/// when the runtime has float64 kernels for every head op (see <see cref="InDoublePrecision"/>).
/// </summary>
public sealed class OnnxHeadEvaluator(OrtInferenceSession session, bool inDoublePrecision, string inputName, string logitsName,
    int channels, int height, int width, int classes) : IHeadEvaluator, IDisposable
{
    public int PreferredBatchSize { get; init; } = 64;

    /// <summary>False when the head had to stay float32 (a head op without a float64 kernel).</summary>
    public bool InDoublePrecision => inDoublePrecision;

    public void Evaluate(ReadOnlyMemory<float> features, int count, Span<double> logits)
    {
        long[] shape = [count, channels, height, width];
        if (!inDoublePrecision)
        {
            using var floatResult = session.Run([OrtInputTensor.Float(inputName, features, shape)], logitsName);
            var scores = Check(floatResult[0], count).AsSpan<float>();
            for (int i = 0; i < count * classes; i++) logits[i] = scores[i];
            return;
        }

        int length = count * channels * height * width;
        var buffer = ArrayPool<double>.Shared.Rent(length);
        try
        {
            var source = features.Span;
            for (int i = 0; i < length; i++) buffer[i] = source[i];
            using var result = session.Run([OrtInputTensor.Double(inputName, buffer.AsMemory(0, length), shape)], logitsName);
            Check(result[0], count).AsSpan<double>()[..(count * classes)].CopyTo(logits);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private OrtOutputTensor Check(OrtOutputTensor output, int count) =>
        output.ElementCount == (long)count * classes
            ? output
            : throw new ModelLoadException($"head returned {output.ElementCount} values for {count} feature tensors, expected {count * classes}");

    public void Dispose() => session.Dispose();
}
