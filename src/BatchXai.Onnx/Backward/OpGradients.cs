using BatchXai.Onnx.Backward.Ops;

namespace BatchXai.Onnx.Backward;

/// <summary>The one table of supported ops (default ONNX domain) and their backward rules.</summary>
internal static class OpGradients
{
    public static readonly IReadOnlyDictionary<string, OpGradient> Table = new Dictionary<string, OpGradient>(StringComparer.Ordinal)
    {
        ["Relu"] = ActivationGradients.Relu,
        ["LeakyRelu"] = ActivationGradients.LeakyRelu,
        ["Clip"] = ActivationGradients.Clip,
        ["Sigmoid"] = ActivationGradients.Sigmoid,
        ["Tanh"] = ActivationGradients.Tanh,
        ["HardSigmoid"] = ActivationGradients.HardSigmoid,
        ["HardSwish"] = ActivationGradients.HardSwish,
        ["Add"] = ElementwiseGradients.Add,
        ["Sub"] = ElementwiseGradients.Sub,
        ["Mul"] = ElementwiseGradients.Mul,
        ["Div"] = ElementwiseGradients.Div,
        ["Sum"] = ElementwiseGradients.Sum,
        ["Neg"] = ElementwiseGradients.Neg,
        ["Expand"] = ElementwiseGradients.Expand,
        ["Gemm"] = LinearGradients.Gemm,
        ["MatMul"] = LinearGradients.MatMul,
        ["Conv"] = ConvGradient.Conv,
        ["BatchNormalization"] = ConvGradient.BatchNormalization,
        ["MaxPool"] = PoolGradients.MaxPool,
        ["AveragePool"] = PoolGradients.AveragePool,
        ["GlobalAveragePool"] = PoolGradients.GlobalAveragePool,
        ["ReduceMean"] = PoolGradients.ReduceMean,
        ["ReduceSum"] = PoolGradients.ReduceSum,
        ["Identity"] = ShapeGradients.Identity,
        ["Dropout"] = ShapeGradients.Identity,
        ["Cast"] = ShapeGradients.Cast,
        ["Reshape"] = ShapeGradients.Reshape,
        ["Flatten"] = ShapeGradients.Reshape,
        ["Squeeze"] = ShapeGradients.Reshape,
        ["Unsqueeze"] = ShapeGradients.Reshape,
        ["Transpose"] = ShapeGradients.Transpose,
        ["Concat"] = ShapeGradients.Concat,
        ["Split"] = ShapeGradients.Split,
        ["Slice"] = ShapeGradients.Slice,
        ["Pad"] = ShapeGradients.Pad,
    };
}
