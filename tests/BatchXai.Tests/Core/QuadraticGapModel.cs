using BatchXai.Core;
using BatchXai.Core.Gradients;

namespace BatchXai.Tests.Core;

/// <summary>
/// A model with closed-form derivatives for testing gradient methods: target layer A = x² (per
/// channel, NCHW), S_c = Σ_k w_ck · mean(A_k) + b_c. So ∂S_c/∂A_k = w_ck/(HW),
/// ∂S_c/∂x = 2 w_ck x/(HW), and IG from x' is exactly w_ck (x² − x'²)/(HW).
/// </summary>
internal sealed class QuadraticGapModel(int channels, int height, int width, float[] weights, float[] bias) : IGradientEngine, IScoreEngine
{
    public int Classes => bias.Length;
    public int SampleSize => channels * height * width;
    public List<int> BatchSizes { get; } = [];

    public double Score(ReadOnlySpan<float> x, int c)
    {
        double s = bias[c];
        int spatial = height * width;
        for (int k = 0; k < channels; k++)
        {
            double mean = 0;
            for (int p = 0; p < spatial; p++) mean += (double)x[k * spatial + p] * x[k * spatial + p];
            s += weights[c * channels + k] * mean / spatial;
        }
        return s;
    }

    public void Score(ReadOnlyMemory<float> inputs, int count, Span<float> logits)
    {
        BatchSizes.Add(count);
        for (int b = 0; b < count; b++)
            for (int c = 0; c < Classes; c++) logits[b * Classes + c] = (float)Score(inputs.Span.Slice(b * SampleSize, SampleSize), c);
    }

    public GradientResult Compute(ReadOnlyMemory<float> inputs, int count, ReadOnlySpan<float> seeds, GradientRule rule, bool withTargetLayer)
    {
        BatchSizes.Add(count);
        int spatial = height * width, size = SampleSize, n = Classes;
        var x = inputs.Span;
        var logits = new float[count * n];
        var inputGrads = new float[count * size];
        var features = new float[count * size];
        var featureGrads = new float[count * size];
        for (int b = 0; b < count; b++)
        {
            var sample = x.Slice(b * size, size);
            for (int c = 0; c < n; c++) logits[b * n + c] = (float)Score(sample, c);
            for (int k = 0; k < channels; k++)
            {
                double dA = 0;
                for (int c = 0; c < n; c++) dA += seeds[b * n + c] * weights[c * channels + k] / spatial;
                for (int p = 0; p < spatial; p++)
                {
                    int i = b * size + k * spatial + p;
                    features[i] = sample[k * spatial + p] * sample[k * spatial + p];
                    featureGrads[i] = (float)dA;
                    inputGrads[i] = (float)(2 * dA * sample[k * spatial + p]);
                }
            }
        }
        return new GradientResult(logits, inputGrads,
            withTargetLayer ? new FeatureBatch(count, channels, height, width, features) : null,
            withTargetLayer ? new FeatureBatch(count, channels, height, width, featureGrads) : null);
    }
}
