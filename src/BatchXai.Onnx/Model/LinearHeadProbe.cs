using BatchXai.Core.Heads;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Onnx.Model;

/// <summary>
/// Recovers W and b of a GAP → linear head by evaluating the head itself, whatever ops the
/// exporter used for it (Gemm, MatMul+Add, Flatten/Reshape, 1×1 conv then GAP): a feature tensor
/// that is 1 everywhere in map k and 0 elsewhere has GAP = e_k, so S(e_k) − S(0) = W[:,k]. Then
/// checks the claim "this head is GAP → linear" on random features, so a wrong manifest is
/// caught at load instead of producing wrong CAM/CRM maps.
/// </summary>
public static class LinearHeadProbe
{
    public const double Tolerance = 1e-3;

    public static LinearHead Probe(IHeadEvaluator head, int channels, int height, int width, int classes, string modelName)
    {
        int spatial = height * width, sampleSize = channels * spatial;
        int chunk = Math.Clamp(head.PreferredBatchSize, 1, channels + 1);
        var features = new float[chunk * sampleSize];
        var logits = new double[chunk * classes];

        var bias = new double[classes];
        head.Evaluate(new float[sampleSize], 1, bias);

        var weights = new float[classes * channels];
        foreach (var (start, count) in BatchChunks.Of(channels, chunk))
        {
            Array.Clear(features);
            for (int i = 0; i < count; i++)
                features.AsSpan(i * sampleSize + (start + i) * spatial, spatial).Fill(1f);
            head.Evaluate(features.AsMemory(0, count * sampleSize), count, logits);
            for (int i = 0; i < count; i++)
                for (int c = 0; c < classes; c++)
                    weights[c * channels + start + i] = (float)(logits[i * classes + c] - bias[c]);
        }
        var linear = new LinearHead(classes, channels, weights, bias.Select(b => (float)b).ToArray());
        CheckLinear(head, linear, channels, spatial, modelName);
        return linear;
    }

    private static void CheckLinear(IHeadEvaluator head, LinearHead linear, int channels, int spatial, string modelName)
    {
        var random = new Random(1234);
        var sample = new float[channels * spatial];
        for (int i = 0; i < sample.Length; i++) sample[i] = (float)(random.NextDouble() * 2.0);
        var actual = new double[linear.Classes];
        head.Evaluate(sample, 1, actual);

        double worst = 0, scale = 1e-6;
        for (int c = 0; c < linear.Classes; c++)
        {
            double expected = linear.Bias[c];
            var w = linear.ClassWeights(c);
            for (int k = 0; k < channels; k++)
            {
                double mean = 0;
                for (int p = 0; p < spatial; p++) mean += sample[k * spatial + p];
                expected += w[k] * mean / spatial;
            }
            worst = Math.Max(worst, Math.Abs(expected - actual[c]));
            scale = Math.Max(scale, Math.Abs(actual[c]));
        }
        if (worst > Tolerance * scale)
            throw new ModelLoadException(
                $"model {modelName}: the manifest says head \"gap-linear\" but the head is not a linear function of the target layer's " +
                $"global average (deviation {worst:G3} against scores of size {scale:G3}); set \"head\": \"generic\"");
    }
}
