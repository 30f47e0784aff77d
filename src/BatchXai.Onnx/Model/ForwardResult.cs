using BatchXai.Core;

namespace BatchXai.Onnx.Model;

/// <summary>
/// One forward pass over a batch: pre-softmax scores (batch × N), the target layer's activations,
/// and for GAP → linear heads the class score maps Σ_k w_k^c A_k (batch × N × u × v).
/// </summary>
public sealed record ForwardResult(float[] Logits, FeatureBatch Features, FeatureBatch? ClassScoreMaps);
