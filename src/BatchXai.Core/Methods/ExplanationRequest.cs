using BatchXai.Core.Heads;

namespace BatchXai.Core.Methods;

/// <summary>
/// Everything a method may draw on for one batch: the target-layer activations, the logits,
/// the class each image is explained for, and the model's head.
/// </summary>
public sealed class ExplanationRequest
{
    public ExplanationRequest(FeatureBatch features, float[] logits, int[] targetClasses, ModelHead head)
    {
        if (targetClasses.Length != features.Batch) throw new ArgumentException($"{targetClasses.Length} target classes for a batch of {features.Batch}", nameof(targetClasses));
        if (logits.Length < features.Batch * head.Classes) throw new ArgumentException($"{logits.Length} logits for a batch of {features.Batch} with {head.Classes} classes", nameof(logits));
        Features = features; Logits = logits; TargetClasses = targetClasses; Head = head;
    }

    public FeatureBatch Features { get; }
    /// <summary>Pre-softmax scores S, batch × N.</summary>
    public float[] Logits { get; }
    public int[] TargetClasses { get; }
    public ModelHead Head { get; }
    public int Batch => Features.Batch;
}
