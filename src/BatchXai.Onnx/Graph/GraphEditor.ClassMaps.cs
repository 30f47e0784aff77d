using BatchXai.Onnx.Proto;
using Google.Protobuf;

namespace BatchXai.Onnx.Graph;

public static partial class GraphEditor
{
    /// <summary>
    /// Adds an output with the class score maps M_c(l,m) = Σ_k W[c,k]·A_k(l,m) of a GAP → linear
    /// head — every class's CAM — computed as a 1×1 convolution of the target layer, so the
    /// runtime's GEMM does the N×K×u·v multiply-adds inside the forward pass (for ResNet-50's
    /// 1000 classes that is 100 M per image, far faster there than in managed code).
    /// </summary>
    /// <param name="weights">W, N×K row-major.</param>
    public static ModelProto AppendClassMaps(ModelProto model, string targetLayer, float[] weights, int classes, int channels, string outputName)
    {
        if (weights.Length != classes * channels) throw new ArgumentException($"class weights need {classes}x{channels} values, got {weights.Length}", nameof(weights));
        var edited = model.Clone();
        var graph = RequireGraph(edited);
        RequireTensor(new GraphIndex(graph), targetLayer, "cannot compute class maps from it");

        var weightName = outputName + "_weights";
        var bytes = new byte[weights.Length * sizeof(float)];
        Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
        graph.Initializer.Add(new TensorProto
        {
            Name = weightName,
            DataType = (int)TensorProto.Types.DataType.Float,
            Dims = { classes, channels, 1, 1 },
            RawData = ByteString.CopyFrom(bytes),
        });
        graph.Node.Add(new NodeProto
        {
            Name = outputName + "_conv",
            OpType = "Conv",
            Input = { targetLayer, weightName },
            Output = { outputName },
            Attribute = { new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1 } } },
        });
        graph.Output.Add(new ValueInfoProto
        {
            Name = outputName,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto
                    {
                        Dim =
                        {
                            new TensorShapeProto.Types.Dimension { DimParam = BatchSymbol },
                            new TensorShapeProto.Types.Dimension { DimValue = classes },
                            new TensorShapeProto.Types.Dimension { DimParam = outputName + "_u" },
                            new TensorShapeProto.Types.Dimension { DimParam = outputName + "_v" },
                        },
                    },
                },
            },
        });
        return edited;
    }
}
