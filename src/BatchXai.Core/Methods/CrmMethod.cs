using System.Numerics.Tensors;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Class-selective relevance mapping (Kim, Rajaraman, Antani 2019, eqs. 6–7):
/// CRM(l,m) = Σ_{c=1..N} (S_c − S_c(l,m))², where S_c(l,m) is the pre-softmax score with the
/// spatial element (l,m) of every feature map set to zero. Summing over all output nodes makes it
/// class-selective without a target class: a location matters if removing it moves any score.
/// A multi-label head (one sigmoid per finding) is N classifiers side by side: the map for finding f
/// sums over that finding's own output node, CRM_f(l,m) = (S_f − S_f(l,m))², one map per (image, finding).
/// </summary>
public sealed class CrmMethod : IExplanationMethod
{
    public string Name => "crm";

    // Closed form for gap-linear heads, ablation through the head evaluator otherwise.
    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var f = request.Features;
        var maps = new ExplanationMap[f.Batch];
        int? Node(int b) => request.Head.MultiLabel ? request.TargetClasses[b] : null;
        if (request.ClassScoreMaps is { } classMaps)
        {
            for (int b = 0; b < f.Batch; b++) maps[b] = FromClassScoreMaps(classMaps.Sample(b), classMaps.Channels, f.Height, f.Width, Node(b));
        }
        else if (request.Head.Linear is { } linear)
        {
            // Images are independent: one per core, each with its own transposition buffer.
            Parallel.For(0, f.Batch, () => new float[f.SampleSize], (b, _, scratch) =>
            {
                maps[b] = ClosedForm(linear, f.Sample(b), f.Height, f.Width, scratch, Node(b));
                return scratch;
            }, _ => { });
        }
        else
        {
            var evaluator = request.Head.Evaluator ?? throw new InvalidOperationException("crm on a generic head needs a head evaluator");
            var ablation = new AblationWorkspace(evaluator, f.Channels, f.Height, f.Width, request.Head.Classes);
            for (int b = 0; b < f.Batch; b++) maps[b] = ablation.Crm(f.Sample(b), Node(b));
        }
        return maps;
    }

    /// <summary>
    /// For a GAP → linear head, removing (l,m) lowers S_c by exactly CAM_c(l,m)/(uv), so
    /// CRM(l,m) = Σ_c CAM_c(l,m)² / (uv)² = Σ_c (w_c · a_lm)² / (uv)² — one forward pass, no ablation.
    /// </summary>
    /// <param name="scratch">K·u·v floats, reused across calls.</param>
    /// <param name="node">Only this output node (a multi-label head's finding); null: every node.</param>
    public static ExplanationMap ClosedForm(LinearHead head, ReadOnlySpan<float> sample, int height, int width, float[]? scratch = null, int? node = null)
    {
        int spatial = height * width, channels = head.Channels;
        // NCHW keeps each position's feature vector strided; transposed, every w_c · a_lm is one
        // contiguous dot product, and with classes in the outer loop W streams through once
        // (ResNet-50: 1000 × 2048 weights against 49 positions).
        var positions = scratch ?? new float[channels * spatial];
        for (int k = 0; k < channels; k++)
        {
            var map = sample.Slice(k * spatial, spatial);
            for (int p = 0; p < spatial; p++) positions[p * channels + k] = map[p];
        }
        var crm = new ExplanationMap(height, width);
        var values = crm.Values;
        var (first, end) = Nodes(node, head.Classes);
        for (int c = first; c < end; c++)
        {
            var w = head.ClassWeights(c);
            for (int p = 0; p < spatial; p++)
            {
                float drop = TensorPrimitives.Dot(w, positions.AsSpan(p * channels, channels));
                values[p] += drop * drop;
            }
        }
        float invAreaSquared = 1f / ((float)spatial * spatial);
        TensorPrimitives.Multiply(values, invAreaSquared, values);
        return crm;
    }

    /// <summary>The closed form from precomputed class score maps M_c = CAM_c: Σ_c M_c(l,m)² / (uv)².</summary>
    public static ExplanationMap FromClassScoreMaps(ReadOnlySpan<float> classMaps, int classes, int height, int width, int? node = null)
    {
        int spatial = height * width;
        var crm = new ExplanationMap(height, width);
        var (first, end) = Nodes(node, classes);
        for (int c = first; c < end; c++)
        {
            var m = classMaps.Slice(c * spatial, spatial);
            TensorPrimitives.MultiplyAdd(m, m, crm.Values, crm.Values);
        }
        TensorPrimitives.Multiply(crm.Values, 1f / ((float)spatial * spatial), crm.Values);
        return crm;
    }

    /// <summary>CRM by evaluating the head on the u·v ablated feature tensors, in batches.</summary>
    public static ExplanationMap Ablation(IHeadEvaluator evaluator, ReadOnlySpan<float> sample, int channels, int height, int width, int classes) =>
        new AblationWorkspace(evaluator, channels, height, width, classes).Crm(sample);

    /// <summary>The output nodes CRM sums over: one node, or all of them.</summary>
    private static (int First, int End) Nodes(int? node, int classes) => node is int n ? (n, n + 1) : (0, classes);

    /// <summary>Buffers for ablation reused across the images of a batch.</summary>
    private sealed class AblationWorkspace
    {
        private readonly IHeadEvaluator _evaluator;
        private readonly int _channels, _height, _width, _classes, _chunk;
        private readonly float[] _features;
        private readonly double[] _logits, _baseline;

        public AblationWorkspace(IHeadEvaluator evaluator, int channels, int height, int width, int classes)
        {
            _evaluator = evaluator;
            (_channels, _height, _width, _classes) = (channels, height, width, classes);
            _chunk = Math.Clamp(evaluator.PreferredBatchSize, 1, height * width);
            _features = new float[_chunk * channels * height * width];
            _logits = new double[_chunk * classes];
            _baseline = new double[classes];
        }

        public ExplanationMap Crm(ReadOnlySpan<float> sample, int? node = null)
        {
            var (first, end) = Nodes(node, _classes);
            int spatial = _height * _width, sampleSize = _channels * spatial;
            var map = new ExplanationMap(_height, _width);

            // S from the same evaluator, so the differences are not polluted by any mismatch
            // between the full model's logits and the extracted head's.
            sample.CopyTo(_features);
            _evaluator.Evaluate(_features.AsMemory(0, sampleSize), 1, _baseline);

            for (int start = 0; start < spatial; start += _chunk)
            {
                int count = Math.Min(_chunk, spatial - start);
                for (int i = 0; i < count; i++)
                {
                    var copy = _features.AsSpan(i * sampleSize, sampleSize);
                    sample.CopyTo(copy);
                    int position = start + i;
                    for (int k = 0; k < _channels; k++) copy[k * spatial + position] = 0f;
                }
                _evaluator.Evaluate(_features.AsMemory(0, count * sampleSize), count, _logits.AsSpan(0, count * _classes));
                for (int i = 0; i < count; i++)
                {
                    var ablated = _logits.AsSpan(i * _classes, _classes);
                    double sum = 0;
                    for (int c = first; c < end; c++)
                    {
                        double d = _baseline[c] - ablated[c];
                        sum += d * d;
                    }
                    map.Values[start + i] = (float)sum;
                }
            }
            return map;
        }
    }
}
