using BatchXai.Core;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// A reference classifier for metric tests, logits = W·x + b over the flattened input: simple
/// enough that numpy recomputes every score the metrics ask for, independently of our code.
/// </summary>
internal sealed class LinearSoftmaxModel(float[] weights, float[] bias, int size) : IScoreEngine
{
    public int Classes => bias.Length;
    public float[] Weights => weights;
    public float[] Bias => bias;
    public int Calls { get; private set; }

    /// <param name="scale">weight scale: 0.2 gives logits of order 1; thousands give logits far past exp's float range.</param>
    public static LinearSoftmaxModel Random(int classes, int size, int seed, float scale = 0.2f)
    {
        var random = new Random(seed);
        return new LinearSoftmaxModel(
            Enumerable.Range(0, classes * size).Select(_ => (float)(random.NextDouble() - 0.5) * scale).ToArray(),
            Enumerable.Range(0, classes).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), size);
    }

    public void Score(ReadOnlyMemory<float> inputs, int count, Span<float> logits)
    {
        Calls++;
        var x = inputs.Span;
        for (int s = 0; s < count; s++)
            for (int c = 0; c < Classes; c++)
            {
                double sum = bias[c];
                for (int i = 0; i < size; i++) sum += (double)weights[c * size + i] * x[s * size + i];
                logits[s * Classes + c] = (float)sum;
            }
    }
}
