using BatchXai.Core;

namespace BatchXai.Onnx.Model;

/// <summary>One forward pass over a batch: pre-softmax scores (batch × N) and the target layer's activations.</summary>
public sealed record ForwardResult(float[] Logits, FeatureBatch Features);
