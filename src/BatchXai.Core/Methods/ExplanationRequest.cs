using BatchXai.Core.Heads;

namespace BatchXai.Core.Methods;

/// <summary>
/// Everything a method may draw on for one batch: the target-layer activations, the logits,
/// the class each image is explained for, the model's head, and — for GAP → linear heads, when
/// the runtime computed them in the forward pass — the class score maps.
/// </summary>
public sealed class ExplanationRequest
{
    public ExplanationRequest(FeatureBatch features, float[] logits, int[] targetClasses, ModelHead head, FeatureBatch? classScoreMaps = null)
    {
        if (classScoreMaps is not null && (classScoreMaps.Channels != head.Classes || classScoreMaps.SpatialSize != features.SpatialSize))
            throw new ArgumentException($"class score maps of {classScoreMaps.Channels}x{classScoreMaps.Height}x{classScoreMaps.Width} do not fit {head.Classes} classes on a {features.Height}x{features.Width} grid", nameof(classScoreMaps));
        if (targetClasses.Length != features.Batch) throw new ArgumentException($"{targetClasses.Length} target classes for a batch of {features.Batch}", nameof(targetClasses));
        if (logits.Length < features.Batch * head.Classes) throw new ArgumentException($"{logits.Length} logits for a batch of {features.Batch} with {head.Classes} classes", nameof(logits));
        Features = features; Logits = logits; TargetClasses = targetClasses; Head = head; ClassScoreMaps = classScoreMaps;
    }

    /// <summary>
    /// M_c(l,m) = Σ_k w_k^c A_k(l,m) for every class (batch × N × u × v): every class's CAM, the
    /// shared ingredient of CAM, CRM's closed form and CLEAR on linear heads. Null when not precomputed.
    /// </summary>
    public FeatureBatch? ClassScoreMaps { get; }

    public FeatureBatch Features { get; }
    /// <summary>Pre-softmax scores S, batch × N.</summary>
    public float[] Logits { get; }
    public int[] TargetClasses { get; }
    public ModelHead Head { get; }
    public int Batch => Features.Batch;

    /// <summary>The preprocessed model inputs of the batch, sample after sample (gradient methods).</summary>
    public float[]? Inputs { get; init; }

    /// <summary>How a sample of <see cref="Inputs"/> is laid out (gradient methods).</summary>
    public InputGeometry? Geometry { get; init; }

    /// <summary>Backward passes through the model (gradient methods); null when the model has none.</summary>
    public Gradients.IGradientEngine? Gradients { get; init; }

    /// <summary>CLEAR's back-projection from the class responses; null when the model has none.</summary>
    public Gradients.IClassResponseProjector? ClassResponses { get; init; }

    /// <summary>Forward passes through the model (perturbation methods); null when not offered.</summary>
    public IScoreEngine? Scores { get; init; }

    /// <summary>Inputs, geometry and score engine, or an error naming the method that needs them.</summary>
    public (float[] Inputs, InputGeometry Geometry, IScoreEngine Engine) RequireScores(string method) =>
        Inputs is { } inputs && Geometry is { } geometry && Scores is { } engine
            ? (inputs, geometry, engine)
            : throw new InvalidOperationException($"{method} needs the model inputs and forward passes");

    /// <summary>Inputs, geometry and gradient engine, or an error naming the method that needs them.</summary>
    public (float[] Inputs, InputGeometry Geometry, Gradients.IGradientEngine Engine) RequireGradients(string method) =>
        Inputs is { } inputs && Geometry is { } geometry && Gradients is { } engine
            ? (inputs, geometry, engine)
            : throw new InvalidOperationException($"{method} needs the model inputs and a gradient engine");

    /// <summary>∂S_target/∂x for every image of the batch under a ReLU rule, in one engine call.</summary>
    public float[] TargetInputGradients(string method, Gradients.GradientRule rule)
    {
        var (inputs, geometry, engine) = RequireGradients(method);
        return engine.Compute(inputs.AsMemory(0, Batch * geometry.SampleSize), Batch, TargetSeeds(0, Batch), rule, withTargetLayer: false).InputGradients;
    }

    /// <summary>One-hot seeds for the target classes of samples [start, start+count): the gradient of S_target.</summary>
    public float[] TargetSeeds(int start, int count)
    {
        var seeds = new float[count * Head.Classes];
        for (int i = 0; i < count; i++) seeds[i * Head.Classes + TargetClasses[start + i]] = 1f;
        return seeds;
    }
}
