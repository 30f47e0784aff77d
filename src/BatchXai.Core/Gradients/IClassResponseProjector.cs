namespace BatchXai.Core.Gradients;

/// <summary>
/// CLEAR's back-projection (CLEAR-DR eq. 2): each class's response at the model's last layer —
/// a fully convolutional net's class-kernel output, or Σ_k w_k^d A_k for a GAP → linear head —
/// carried down to the input with deconvnet rules. Implementations run every class of every
/// sample in batched passes, never one class at a time.
/// </summary>
public interface IClassResponseProjector
{
    /// <summary>N, the number of class responses.</summary>
    int Classes { get; }

    /// <summary>
    /// For each of <paramref name="count"/> samples (model-input layout, one after another) and
    /// each class d, the input-space signal of class d: count × N × sample size values, in the
    /// model's input layout (channels not yet reduced).
    /// </summary>
    float[] Project(ReadOnlyMemory<float> inputs, int count);
}
