using BatchXai.Core.Heads;

namespace BatchXai.Tests.Core;

/// <summary>
/// Heads computed the slow, obvious way in double precision: the independent references the
/// optimised methods are checked against.
/// </summary>
internal static class ReferenceHeads
{
    public static double[] GapLinear(float[] weights, float[] bias, ReadOnlySpan<float> sample, int channels, int spatial)
    {
        int classes = bias.Length;
        var gap = new double[channels];
        for (int k = 0; k < channels; k++)
        {
            double sum = 0;
            for (int p = 0; p < spatial; p++) sum += sample[k * spatial + p];
            gap[k] = sum / spatial;
        }
        var scores = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            double s = bias[c];
            for (int k = 0; k < channels; k++) s += weights[c * channels + k] * gap[k];
            scores[c] = s;
        }
        return scores;
    }

    /// <summary>CRM by its definition (paper eq. 6–7): zero (l,m) in every map, rescore, sum squared drops.</summary>
    public static double[] CrmByDefinition(Func<float[], double[]> score, float[] sample, int channels, int spatial)
    {
        var baseline = score(sample);
        var crm = new double[spatial];
        for (int p = 0; p < spatial; p++)
        {
            var ablated = (float[])sample.Clone();
            for (int k = 0; k < channels; k++) ablated[k * spatial + p] = 0f;
            var s = score(ablated);
            for (int c = 0; c < s.Length; c++) crm[p] += (baseline[c] - s[c]) * (baseline[c] - s[c]);
        }
        return crm;
    }

    public static float[] Random(Random random, int length, double scale = 1.0, bool nonNegative = false)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)((nonNegative ? random.NextDouble() : random.NextDouble() * 2 - 1) * scale);
        return values;
    }
}

/// <summary>A head evaluator over a managed function, counting how it is called.</summary>
internal sealed class DelegateHeadEvaluator(int sampleSize, int classes, Func<float[], double[]> score, int preferredBatch = 7) : IHeadEvaluator
{
    public int PreferredBatchSize => preferredBatch;
    public int Calls { get; private set; }
    public int LargestBatch { get; private set; }

    public void Evaluate(ReadOnlyMemory<float> features, int count, Span<double> logits)
    {
        Calls++;
        LargestBatch = Math.Max(LargestBatch, count);
        for (int i = 0; i < count; i++)
        {
            var s = score(features.Span.Slice(i * sampleSize, sampleSize).ToArray());
            for (int c = 0; c < classes; c++) logits[i * classes + c] = s[c];
        }
    }
}
