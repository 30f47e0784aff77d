using System.Buffers.Binary;
using BatchXai.Onnx.Proto;
using Google.Protobuf;

namespace BatchXai.Onnx.Graph;

public static partial class GraphEditor
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int DoubleType = (int)TensorProto.Types.DataType.Double;

    /// <summary>
    /// The same model computing in float64: float initializers, constants, casts and declared
    /// types become double. Used for classifier heads, where CRM subtracts two nearly equal
    /// scores (S_c − S_c(l,m)) and float32 would lose about four digits to cancellation.
    /// GlobalAveragePool becomes the equivalent ReduceMean over the spatial axes, because ONNX
    /// Runtime's CPU provider has GlobalAveragePool in float32 only. Whether the runtime has
    /// float64 kernels for every other op is for the caller to find out.
    /// </summary>
    public static ModelProto ToDoublePrecision(ModelProto model)
    {
        var edited = model.Clone();
        var graph = RequireGraph(edited);
        long opset = edited.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain)).Select(o => o.Version).DefaultIfEmpty(0).Max();
        foreach (var node in graph.Node.Where(n => n.OpType == "GlobalAveragePool" && string.IsNullOrEmpty(n.Domain)))
            GlobalAveragePoolToReduceMean(graph, node, opset);
        foreach (var tensor in graph.Initializer) TensorToDouble(tensor);
        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (info.Type?.TensorType is { ElemType: FloatType } t) t.ElemType = DoubleType;
        foreach (var node in graph.Node)
            foreach (var attribute in node.Attribute)
            {
                if (attribute.T is { } t) TensorToDouble(t);
                if (node.OpType == "Cast" && attribute.Name == "to" && attribute.I == FloatType) attribute.I = DoubleType;
            }
        return edited;
    }

    /// <summary>GlobalAveragePool(X) of an N×C×H×W tensor = ReduceMean(X, axes=[2,3], keepdims=1).</summary>
    private static void GlobalAveragePoolToReduceMean(GraphProto graph, NodeProto node, long opset)
    {
        long[] axes = [2, 3];
        node.OpType = "ReduceMean";
        node.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        if (opset < 18)
        {
            node.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { axes } });
            return;
        }
        // From opset 18 the axes are an input.
        var axesName = $"{node.Name}_batchxai_axes";
        graph.Initializer.Add(new TensorProto { Name = axesName, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { axes.Length }, Int64Data = { axes } });
        node.Input.Add(axesName);
    }

    private static void TensorToDouble(TensorProto tensor)
    {
        if (tensor.DataType != FloatType) return;
        double[] values;
        if (tensor.FloatData.Count > 0)
        {
            values = tensor.FloatData.Select(f => (double)f).ToArray();
        }
        else
        {
            var raw = tensor.RawData.Span;
            values = new double[raw.Length / sizeof(float)];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
        }
        var bytes = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(bytes);
        tensor.DataType = DoubleType;
    }
}
