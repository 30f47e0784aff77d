namespace BatchXai.Core;

/// <summary>
/// Forward passes only: the logits of a batch of model inputs — for perturbation methods
/// (occlusion) that need many scores and no gradients. Implementations run the batch in chunks
/// the runtime likes; callers hand over as many inputs as they can at once.
/// </summary>
public interface IScoreEngine
{
    /// <param name="inputs">count samples, model-input layout, one after another.</param>
    /// <param name="logits">receives count × N pre-softmax scores.</param>
    void Score(ReadOnlyMemory<float> inputs, int count, Span<float> logits);
}
