using BatchXai.Core;
using BatchXai.Core.Heads;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using Google.Protobuf;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Onnx.Model;

/// <summary>
/// A classifier ready to be explained: its manifest validated, its target layer exposed as an
/// extra output (so users can bring plain exported models), its head available as a separate
/// session, and — for gap-linear heads — the head's weights recovered for the closed forms.
/// Sessions are thread-safe for concurrent forward passes.
/// </summary>
public sealed class ExplainableModel : IScoreEngine, IDisposable
{
    /// <summary>Name of the class-score-maps output BatchXai adds for GAP → linear heads.</summary>
    public const string ClassMapsOutput = "batchxai_class_score_maps";

    private readonly OrtInferenceSession _network;
    private readonly OnnxHeadEvaluator _head;
    private readonly string _inputName, _logitsName, _targetName;
    private readonly string[] _outputs;

    private ExplainableModel(InspectedModel model, OrtInferenceSession network, OnnxHeadEvaluator head, ModelHead modelHead,
        (int K, int U, int V) featureShape, int maxBatch)
    {
        Inspected = model;
        _network = network;
        _head = head;
        Head = modelHead;
        FeatureShape = featureShape;
        MaxBatch = maxBatch;
        _inputName = model.Manifest.Input.Name;
        _logitsName = model.Manifest.Outputs.Logits;
        _targetName = model.Manifest.TargetLayer;
        _outputs = modelHead.Linear is null ? [_logitsName, _targetName] : [_logitsName, _targetName, ClassMapsOutput];
    }

    public InspectedModel Inspected { get; }
    public ModelManifest Manifest => Inspected.Manifest;
    public ModelHead Head { get; }
    /// <summary>K feature maps of U×V at the target layer.</summary>
    public (int K, int U, int V) FeatureShape { get; }
    public int MaxBatch { get; }
    public OrtExecutionProvider ExecutionProviderInUse => _network.ExecutionProviderInUse;
    public string? FallbackReason => _network.FallbackReason;

    /// <summary>One sample's input dims in the model's layout (NCHW: C,H,W; NHWC: H,W,C).</summary>
    public long[] SampleShape => SampleShapeOf(Manifest);

    private static long[] SampleShapeOf(ModelManifest m) => m.Input.Layout == TensorLayout.Nhwc
        ? [m.Input.Height, m.Input.Width, m.Input.ChannelCount]
        : [m.Input.ChannelCount, m.Input.Height, m.Input.Width];

    public int SampleSize => Manifest.Input.ChannelCount * Manifest.Input.Height * Manifest.Input.Width;

    /// <param name="preparedModels">Where backward-augmented models are cached; null: <see cref="PreparedModelCache.Default"/>
    /// ($BATCHXAI_CACHE_DIR or the user's cache folder).</param>
    public static ExplainableModel Load(string manifestPath, OrtSessionOptions? options = null, int maxBatch = 32, PreparedModelCache? preparedModels = null)
    {
        var model = ModelInspector.Inspect(manifestPath);
        var m = model.Manifest;
        // The logits and the target layer may be any tensors of the graph: both become outputs.
        var exposed = GraphEditor.ExposeOutputs(model.Graph.Model, [m.Outputs.Logits, m.TargetLayer]);
        var network = OrtInferenceSession.FromBytes(exposed.ToByteArray(), options);
        OrtInferenceSession? headSession = null;
        try
        {
            var featureShape = ProbeFeatureShape(network, m);
            ModelProto headProto;
            try
            {
                headProto = GraphEditor.ExtractSubgraph(model.Graph.Model, m.TargetLayer, [m.Outputs.Logits]);
            }
            catch (OnnxGraphException e)
            {
                throw new ModelLoadException($"model {m.Name}: the head from targetLayer '{m.TargetLayer}' to the logits cannot be evaluated on its own: {e.Message}", e);
            }
            bool inDouble;
            (headSession, inDouble) = OpenHeadSession(headProto, options, m.Name);
            var (k, u, v) = featureShape;
            var head = new OnnxHeadEvaluator(headSession, inDouble, m.TargetLayer, m.Outputs.Logits, k, u, v, m.Classes.Count);
            var modelHead = m.Head == HeadKind.GapLinear
                ? ModelHead.ForLinear(LinearHeadProbe.Probe(head, k, u, v, m.Classes.Count, m.Name), head)
                : ModelHead.ForEvaluator(m.Classes.Count, head);
            modelHead = modelHead with { MultiLabel = m.Outputs.MultiLabel };
            if (modelHead.Linear is { } linear)
            {
                // Now that W is known, the forward pass can also deliver every class's CAM.
                var withClassMaps = GraphEditor.AppendClassMaps(exposed, m.TargetLayer, linear.Weights, linear.Classes, linear.Channels, ClassMapsOutput);
                var replaced = network;
                network = OrtInferenceSession.FromBytes(withClassMaps.ToByteArray(), options);
                replaced.Dispose();
            }
            var loaded = new ExplainableModel(model, network, head, modelHead, featureShape, Math.Max(1, maxBatch))
            {
                Gradients = new OnnxGradientEngine(model.Graph, m, featureShape, SampleShapeOf(m), options, Math.Max(1, maxBatch),
                    preparedModels ?? PreparedModelCache.Default),
                ClassResponses = ClassResponseProjectorFor(model.Graph.Model, m, modelHead, options, Math.Max(1, maxBatch)),
            };
            loaded.DryRun();
            return loaded;
        }
        catch
        {
            headSession?.Dispose();
            network.Dispose();
            throw;
        }
    }

    /// <summary>The head in float64 where the runtime can run it so, otherwise as exported (float32), said in one log line.</summary>
    private static (OrtInferenceSession Session, bool InDouble) OpenHeadSession(ModelProto head, OrtSessionOptions? options, string modelName)
    {
        try
        {
            return (OrtInferenceSession.FromBytes(GraphEditor.ToDoublePrecision(head).ToByteArray(), options), true);
        }
        catch (OrtException e)
        {
            options?.Log?.Invoke($"model {modelName}: head evaluated in float32 (no float64 kernel: {e.NativeMessage})");
            return (OrtInferenceSession.FromBytes(head.ToByteArray(), options), false);
        }
    }

    /// <summary>
    /// Runs the model over <paramref name="count"/> preprocessed samples (laid out one after
    /// another in <paramref name="input"/>), in chunks of <see cref="MaxBatch"/>.
    /// </summary>
    public ForwardResult Forward(float[] input, int count)
    {
        int classes = Head.Classes, sampleSize = SampleSize;
        var (k, u, v) = FeatureShape;
        int featureSize = k * u * v;
        int classMapSize = classes * u * v;
        var logits = new float[count * classes];
        var features = new float[count * featureSize];
        var classMaps = _outputs.Length > 2 ? new float[count * classMapSize] : null;
        foreach (var (start, n) in BatchChunks.Of(count, MaxBatch))
        {
            long[] shape = [n, .. SampleShape];
            // Outputs written straight into the result arrays (see OrtOutputBuffer).
            OrtOutputBuffer logitsOut = new(_logitsName, logits.AsMemory(start * classes, n * classes)),
                featuresOut = new(_targetName, features.AsMemory(start * featureSize, n * featureSize));
            OrtInputTensor[] batch = [OrtInputTensor.Float(_inputName, input.AsMemory(start * sampleSize, n * sampleSize), shape)];
            if (classMaps is null) _network.RunInto(batch, [logitsOut, featuresOut]);
            else _network.RunInto(batch, [logitsOut, featuresOut, new(ClassMapsOutput, classMaps.AsMemory(start * classMapSize, n * classMapSize))]);
        }
        return new ForwardResult(logits, new FeatureBatch(count, k, u, v, features),
            classMaps is null ? null : new FeatureBatch(count, classes, u, v, classMaps));
    }

    /// <summary>Logits only (perturbation methods): the same network, no other outputs fetched, in chunks of <see cref="MaxBatch"/>.</summary>
    public void Score(ReadOnlyMemory<float> inputs, int count, Span<float> logits)
    {
        int classes = Head.Classes, sampleSize = SampleSize;
        foreach (var (start, n) in BatchChunks.Of(count, MaxBatch))
        {
            using var result = _network.Run([OrtInputTensor.Float(_inputName, inputs.Slice(start * sampleSize, n * sampleSize), [n, .. SampleShape])], _logitsName);
            CheckCount(result[0], n * classes, "logits");
            result[0].CopyTo(logits.Slice(start * classes, n * classes));
        }
    }

    private void CheckCount(OrtOutputTensor output, long expected, string what)
    {
        if (output.ElementCount != expected)
            throw new ModelLoadException($"model {Manifest.Name}: {what} output '{output.Name}' has shape [{string.Join(',', output.Shape)}], expected {expected} values");
    }

    /// <summary>
    /// One forward pass over a dummy image with every output the methods read (logits, target
    /// layer, class score maps), so a model that would fail every image fails its load instead.
    /// </summary>
    private void DryRun()
    {
        try
        {
            var forward = Forward(new float[SampleSize], 1);
            if (!forward.Logits.All(float.IsFinite))
                throw new ModelLoadException($"model {Manifest.Name}: logits '{_logitsName}' are not finite on a dummy (all-zero) input");
        }
        catch (Exception e) when (e is not ModelLoadException)
        {
            throw new ModelLoadException($"model {Manifest.Name}: the forward pass with outputs {string.Join(", ", _outputs.Select(o => $"'{o}'"))} fails on a dummy batch: {e.Message}", e);
        }
    }

    /// <summary>One zero-image pass at load: learns K×U×V and proves the model runs before any work is queued.</summary>
    private static (int, int, int) ProbeFeatureShape(OrtInferenceSession network, ModelManifest m)
    {
        long[] shape = [1, .. SampleShapeOf(m)];
        var zeros = new float[m.Input.ChannelCount * m.Input.Height * m.Input.Width];
        using var result = network.Run([OrtInputTensor.Float(m.Input.Name, zeros, shape)], m.TargetLayer);
        var s = result[0].Shape;
        if (s.Length != 4)
            throw new ModelLoadException($"model {m.Name}: targetLayer '{m.TargetLayer}' has shape [{string.Join(',', s)}]; feature-map methods need 4-D feature maps (N,K,U,V)");
        return ((int)s[1], (int)s[2], (int)s[3]);
    }

    /// <summary>Backward passes through this model (sessions built on first use, per rule).</summary>
    public OnnxGradientEngine Gradients { get; private init; } = null!;

    /// <summary>
    /// CLEAR's back-projection from the class responses (session built on first use): from the
    /// manifest's outputs.classMaps when the model has class kernels, else from Σ_k w_k^d A_k
    /// appended for a gap-linear head; null for other heads.
    /// </summary>
    public OnnxClassResponseProjector? ClassResponses { get; private init; }

    private static OnnxClassResponseProjector? ClassResponseProjectorFor(ModelProto source, ModelManifest m, ModelHead head,
        OrtSessionOptions? options, int maxBatch)
    {
        if (m.Outputs.ClassMaps is { } classMaps)
            return new OnnxClassResponseProjector(source, m.Input.Name, classMaps, m.Classes.Count, SampleShapeOf(m), options, maxBatch);
        if (head.Linear is not { } linear)
            return null;
        var withClassMaps = GraphEditor.AppendClassMaps(source, m.TargetLayer, linear.Weights, linear.Classes, linear.Channels, ClassMapsOutput);
        return new OnnxClassResponseProjector(withClassMaps, m.Input.Name, ClassMapsOutput, m.Classes.Count, SampleShapeOf(m), options, maxBatch);
    }

    public void Dispose()
    {
        ClassResponses?.Dispose();
        Gradients.Dispose();
        _head.Dispose();
        _network.Dispose();
    }
}
