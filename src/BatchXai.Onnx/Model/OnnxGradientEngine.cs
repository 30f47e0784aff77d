using System.Collections.Concurrent;
using BatchXai.Core;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Backward.Rules;
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
    OrtSessionOptions? options, int maxBatch, PreparedModelCache? preparedModels = null) : IGradientEngine, IRelevanceEngine, IDisposable
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
            if (RelevanceInputs.IsLrp(rule) || RelevanceInputs.IsPaired(rule))
                Relevance(new float[sampleSize], 1, seed, new RelevanceSettings(rule, Low: new float[sampleSize], High: new float[sampleSize], References: new float[sampleSize]));
            else
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
        foreach (var (start, n) in BatchChunks.Even(count, maxBatch))
        {
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

    /// <summary>
    /// LRP relevance or DeepLIFT multipliers (see <see cref="IRelevanceEngine"/>). LRP graphs read (ε, α)
    /// and, for the composite rule, the box bounds as extra inputs; DeepLIFT's run each chunk of inputs
    /// followed by its references (so a chunk holds at most half of <see cref="MaxBatch"/> images).
    /// </summary>
    public RelevanceResult Relevance(ReadOnlyMemory<float> inputs, int count, ReadOnlySpan<float> seeds, RelevanceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var session = SessionFor(settings.Rule);
        int classes = manifest.Classes.Count;
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        bool paired = RelevanceInputs.IsPaired(settings.Rule);
        if (!paired && !settings.IsLrp)
            throw new ArgumentException($"{settings.Rule} is a gradient rule, not a relevance rule", nameof(settings));
        if (paired && settings.References.Length != count * sampleSize)
            throw new ArgumentException($"DeepLIFT needs one reference per input: {settings.References.Length} values for {count} samples of {sampleSize}", nameof(settings));
        if (settings.Rule == GradientRule.LrpComposite && (settings.Low?.Length != sampleSize || settings.High?.Length != sampleSize))
            throw new ArgumentException($"the composite LRP rule needs the box bounds, one sample ({sampleSize} values) each", nameof(settings));

        var logits = new float[count * classes];
        var referenceLogits = paired ? new float[count * classes] : null;
        var relevance = new float[count * sampleSize];
        var seedCopy = seeds.ToArray();
        float[] parameters = [(float)settings.Epsilon, (float)settings.Alpha];
        int chunk = paired ? Math.Max(1, maxBatch / 2) : maxBatch;
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var chunkSeeds = seedCopy.AsMemory(start * classes, n * classes);
            if (!paired)
            {
                var feeds = new List<OrtInputTensor>
                {
                    OrtInputTensor.Float(manifest.Input.Name, inputs.Slice(start * sampleSize, n * sampleSize), [n, .. sampleShape]),
                    OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, chunkSeeds, n, classes),
                    OrtInputTensor.Float(RelevanceInputs.Parameters, parameters, 2),
                };
                if (settings.Rule == GradientRule.LrpComposite)
                {
                    feeds.Add(OrtInputTensor.Float(RelevanceInputs.Low, settings.Low!, [1, .. sampleShape]));
                    feeds.Add(OrtInputTensor.Float(RelevanceInputs.High, settings.High!, [1, .. sampleShape]));
                }
                session.RunInto(feeds.ToArray(),
                [
                    new(manifest.Outputs.Logits, logits.AsMemory(start * classes, n * classes)),
                    new(BackwardGraphBuilder.InputGradOutput, relevance.AsMemory(start * sampleSize, n * sampleSize)),
                ]);
                continue;
            }
            // Inputs then their references; both halves seeded alike. Only the inputs' multipliers are kept.
            var pairs = new float[2 * n * sampleSize];
            inputs.Slice(start * sampleSize, n * sampleSize).CopyTo(pairs);
            settings.References.Slice(start * sampleSize, n * sampleSize).CopyTo(pairs.AsMemory(n * sampleSize));
            var pairSeeds = new float[2 * n * classes];
            chunkSeeds.CopyTo(pairSeeds);
            chunkSeeds.CopyTo(pairSeeds.AsMemory(n * classes));
            var pairLogits = new float[2 * n * classes];
            var multipliers = new float[2 * n * sampleSize];
            session.RunInto(
            [
                OrtInputTensor.Float(manifest.Input.Name, pairs, [2 * n, .. sampleShape]),
                OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, pairSeeds, 2 * n, classes),
            ],
            [new(manifest.Outputs.Logits, pairLogits), new(BackwardGraphBuilder.InputGradOutput, multipliers)]);
            pairLogits.AsSpan(0, n * classes).CopyTo(logits.AsSpan(start * classes));
            pairLogits.AsSpan(n * classes).CopyTo(referenceLogits.AsSpan(start * classes));
            multipliers.AsSpan(0, n * sampleSize).CopyTo(relevance.AsSpan(start * sampleSize));
        }
        return new RelevanceResult(logits, relevance, referenceLogits);
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
