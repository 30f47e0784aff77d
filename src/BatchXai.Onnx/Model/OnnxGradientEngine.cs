using System.Collections.Concurrent;
using BatchXai.Core;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;

namespace BatchXai.Onnx.Model;

/// <summary>
/// Gradients from ONNX Runtime: the classifier with its reverse-mode derivative appended by
/// <see cref="BackwardGraphBuilder"/>, one session per ReLU rule, built on first use and kept.
/// Prepared models come from <paramref name="preparedModels"/> when it holds them (keyed by the
/// source's SHA-256 and the options), so a restart does not rebuild. A batch larger than
/// <see cref="MaxBatch"/> runs in chunks.
/// </summary>
public sealed class OnnxGradientEngine(OnnxGraph source, ModelManifest manifest, (int K, int U, int V) featureShape, long[] sampleShape,
    OrtSessionOptions? options, int maxBatch, PreparedModelCache? preparedModels = null) : IGradientEngine, IDisposable
{
    private readonly PreparedModelCache _preparedModels = preparedModels ?? PreparedModelCache.Disabled;

    private readonly ConcurrentDictionary<GradientRule, Lazy<OrtInferenceSession>> _sessions = new();

    public int MaxBatch => maxBatch;

    /// <summary>
    /// Builds the backward graph for a rule now and runs it once on a dummy batch (one all-zero
    /// sample, seed on class 0): an op the builder cannot differentiate, or a graph ONNX Runtime
    /// cannot run, fails here, naming the node, before any image is touched.
    /// </summary>
    public void Prepare(GradientRule rule)
    {
        SessionFor(rule);
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        var seed = new float[manifest.Classes.Count];
        seed[0] = 1f;
        try
        {
            Compute(new float[sampleSize], 1, seed, rule, withTargetLayer: true);
        }
        catch (Exception e) when (e is not ModelLoadException)
        {
            throw new ModelLoadException($"model {manifest.Name}: the {rule} backward graph fails on a dummy batch: {e.Message}", e);
        }
    }

    public GradientResult Compute(ReadOnlyMemory<float> inputs, int count, ReadOnlySpan<float> seeds, GradientRule rule, bool withTargetLayer)
    {
        var session = SessionFor(rule);
        int classes = manifest.Classes.Count;
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        var (k, u, v) = featureShape;
        int featureSize = k * u * v;
        string[] outputs = withTargetLayer
            ? [manifest.Outputs.Logits, BackwardGraphBuilder.InputGradOutput, manifest.TargetLayer, BackwardGraphBuilder.TargetGradOutput]
            : [manifest.Outputs.Logits, BackwardGraphBuilder.InputGradOutput];

        var logits = new float[count * classes];
        var inputGrads = new float[count * sampleSize];
        var features = withTargetLayer ? new float[count * featureSize] : null;
        var featureGrads = withTargetLayer ? new float[count * featureSize] : null;
        var seedCopy = seeds.ToArray();
        // Equal chunks (33 samples at most 32 a call: 17 + 16, not 32 + 1): ONNX Runtime runs a
        // one-sample call at a fraction of a full batch's per-sample rate.
        int chunks = Math.Max(1, (count + maxBatch - 1) / maxBatch);
        int chunk = Math.Max(1, (count + chunks - 1) / chunks);
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            // Outputs written straight into the result arrays (see OrtOutputBuffer).
            OrtOutputBuffer[] destinations = withTargetLayer
                ? [new(outputs[0], logits.AsMemory(start * classes, n * classes)), new(outputs[1], inputGrads.AsMemory(start * sampleSize, n * sampleSize)),
                   new(outputs[2], features.AsMemory(start * featureSize, n * featureSize)), new(outputs[3], featureGrads.AsMemory(start * featureSize, n * featureSize))]
                : [new(outputs[0], logits.AsMemory(start * classes, n * classes)), new(outputs[1], inputGrads.AsMemory(start * sampleSize, n * sampleSize))];
            session.RunInto(
            [
                OrtInputTensor.Float(manifest.Input.Name, inputs.Slice(start * sampleSize, n * sampleSize), [n, .. sampleShape]),
                OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seedCopy.AsMemory(start * classes, n * classes), n, classes),
            ], destinations);
        }
        return new GradientResult(logits, inputGrads,
            features is null ? null : new FeatureBatch(count, k, u, v, features),
            featureGrads is null ? null : new FeatureBatch(count, k, u, v, featureGrads));
    }

    private OrtInferenceSession SessionFor(GradientRule rule)
    {
        var lazy = _sessions.GetOrAdd(rule, r => new Lazy<OrtInferenceSession>(() => Build(r)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _sessions.TryRemove(new KeyValuePair<GradientRule, Lazy<OrtInferenceSession>>(rule, lazy));
            throw;
        }
    }

    private OrtInferenceSession Build(GradientRule rule)
    {
        var backwardOptions = new BackwardOptions(manifest.Input.Name, manifest.Outputs.Logits, manifest.TargetLayer, rule);
        PreparedModel prepared;
        try
        {
            prepared = _preparedModels.GetOrBuild(source.Sha256, backwardOptions, () => BackwardGraphBuilder.Build(source.Model, backwardOptions),
                options?.Log is { } log ? line => log($"model {manifest.Name}: {line}") : null);
        }
        catch (UnsupportedOpException e)
        {
            throw new ModelLoadException($"model {manifest.Name}: gradients unavailable: {e.Message}", e);
        }
        return OrtInferenceSession.FromBytes(prepared.Bytes, options);
    }

    public void Dispose()
    {
        foreach (var lazy in _sessions.Values.Where(l => l.IsValueCreated)) lazy.Value.Dispose();
        _sessions.Clear();
    }
}
