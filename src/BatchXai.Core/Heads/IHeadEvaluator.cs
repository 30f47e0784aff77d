namespace BatchXai.Core.Heads;

/// <summary>
/// Evaluates a classifier's head — everything from the target layer to the logits — on a batch
/// of feature tensors. Used where no closed form exists (hidden layers, non-linear heads), e.g.
/// CRM by ablation. Implementations batch the work for the hardware.
/// </summary>
public interface IHeadEvaluator
{
    /// <summary>Largest batch a single <see cref="Evaluate"/> call should receive.</summary>
    int PreferredBatchSize { get; }

    /// <param name="features">count × K×U×V feature tensors, NCHW (memory, not a span: runtimes pin it for the call).</param>
    /// <param name="count">number of tensors.</param>
    /// <param name="logits">receives count × N pre-softmax scores, in double precision because
    /// callers subtract nearly equal scores (CRM's S_c − S_c(l,m), the head-weight probe).</param>
    void Evaluate(ReadOnlyMemory<float> features, int count, Span<double> logits);
}
