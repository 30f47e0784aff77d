namespace BatchXai.Onnx.Runtime;

/// <summary>
/// Where <see cref="OrtInferenceSession.RunInto"/> puts one float32 output: caller memory that ONNX Runtime
/// writes straight into when the output's shape follows from the model's metadata and this length (one
/// dynamic dimension, usually the batch), so no output tensor is allocated per call; otherwise the output is
/// computed into ORT's memory and copied here.
/// </summary>
public readonly record struct OrtOutputBuffer(string Name, Memory<float> Destination);
