using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;

namespace BatchXai.Onnx.Model;

/// <summary>
/// CLEAR's back-projection on ONNX Runtime: the model with a deconvnet backward pass seeded at
/// the class-response tensor (each class's rectified response, one class per seed), built on
/// first use. Every sample is replicated once per class with a one-hot class seed, so all N
/// responses of a batch come from passes of up to <paramref name="maxBatch"/> rows; the deconvnet
/// ReLU acts on the backward signal, so classes cannot share one pass.
/// </summary>
/// <param name="model">The classifier, with the class-response tensor in its graph (appended for gap-linear heads).</param>
/// <param name="classResponses">The [batch, N, u, v] tensor of class responses.</param>
public sealed class OnnxClassResponseProjector(ModelProto model, string inputName, string classResponses, int classes, long[] sampleShape,
    OrtSessionOptions? options, int maxBatch) : IClassResponseProjector, IDisposable
{
    private readonly Lazy<OrtInferenceSession> _session = new(() => Build(model, inputName, classResponses, options));

    public int Classes => classes;

    /// <summary>The tensor the projection starts from (for messages and tests).</summary>
    public string ClassResponseTensor => classResponses;

    /// <summary>Builds the backward graph now; an op it cannot differentiate fails here, naming the node.</summary>
    public void Prepare() => _ = _session.Value;

    public float[] Project(ReadOnlyMemory<float> inputs, int count)
    {
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        if (inputs.Length < count * sampleSize)
            throw new ArgumentException($"{inputs.Length} input values for {count} samples of {sampleSize}", nameof(inputs));
        int rows = count * classes;
        var projected = new float[rows * sampleSize];
        int chunk = Math.Max(1, maxBatch);
        var replicated = new float[Math.Min(chunk, rows) * sampleSize];
        var seeds = new float[Math.Min(chunk, rows) * classes];
        foreach (var (start, n) in BatchChunks.Of(rows, chunk))
        {
            Array.Clear(seeds);
            for (int r = 0; r < n; r++)
            {
                int row = start + r, sample = row / classes, d = row % classes;
                inputs.Span.Slice(sample * sampleSize, sampleSize).CopyTo(replicated.AsSpan(r * sampleSize, sampleSize));
                seeds[r * classes + d] = 1f;
            }
            using var result = _session.Value.Run(
            [
                OrtInputTensor.Float(inputName, replicated.AsMemory(0, n * sampleSize), [n, .. sampleShape]),
                OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seeds.AsMemory(0, n * classes), n, classes),
            ], BackwardGraphBuilder.InputGradOutput);
            result[0].CopyTo(projected.AsSpan(start * sampleSize, n * sampleSize));
        }
        return projected;
    }

    private static OrtInferenceSession Build(ModelProto model, string inputName, string classResponses, OrtSessionOptions? options)
    {
        ModelProto backward;
        try
        {
            backward = BackwardGraphBuilder.Build(model,
                new BackwardOptions(inputName, classResponses, Rule: GradientRule.Deconvnet, Seed: SeedSignal.RectifiedActivations));
        }
        catch (Exception e) when (e is UnsupportedOpException or Graph.OnnxGraphException)
        {
            throw new ModelLoadException($"CLEAR back-projection from '{classResponses}' unavailable: {e.Message}", e);
        }
        return OrtInferenceSession.FromBytes(backward.ToByteArray(), options);
    }

    public void Dispose()
    {
        if (_session.IsValueCreated) _session.Value.Dispose();
    }
}
