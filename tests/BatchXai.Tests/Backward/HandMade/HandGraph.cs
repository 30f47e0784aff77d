using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using Google.Protobuf;
using AttributeType = BatchXai.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Tests.Backward.HandMade;

/// <summary>
/// A small ONNX graph written node by node (opset 17): input "input" [batch, …], seeded random
/// weights, and a Flatten → Gemm head to "logits" [batch, classes]. For ops and attribute
/// combinations that exporters rarely produce, so each is checked against finite differences.
/// </summary>
internal sealed class HandGraph
{
    private readonly GraphProto _graph = new() { Name = "hand_made" };
    private readonly Random _random;
    private int _count;

    public HandGraph(int seed, params long[] sampleShape)
    {
        _random = new Random(seed);
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = GraphEditor.BatchSymbol });
        foreach (var d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        _graph.Input.Add(Info("input", shape));
    }

    public const string Input = "input";

    /// <summary>A float initializer with values drawn uniformly from [−scale, scale].</summary>
    public string Weight(double scale, params long[] dims) => Uniform(-scale, scale, dims);

    /// <summary>A float initializer holding <paramref name="value"/> everywhere.</summary>
    public string Filled(float value, params long[] dims) =>
        Initializer(DataType.Float, dims, t => t.FloatData.Add(Enumerable.Repeat(value, (int)dims.Aggregate(1L, (a, b) => a * b))));

    /// <summary>A float initializer with values drawn uniformly from [low, high].</summary>
    public string Uniform(double low, double high, params long[] dims) =>
        Initializer(DataType.Float, dims, t => t.FloatData.Add(Enumerable.Range(0, (int)dims.Aggregate(1L, (a, b) => a * b))
            .Select(_ => (float)(low + _random.NextDouble() * (high - low)))));

    public string Int64s(params long[] values) => Initializer(DataType.Int64, [values.Length], t => t.Int64Data.Add(values));

    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Nodes(op, inputs, 1, attributes)[0];

    public string[] Nodes(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_count++}", Input = { inputs } };
        for (var i = 0; i < outputs; i++) node.Output.Add($"{node.Name}_out{i}");
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return node.Output.ToArray();
    }

    /// <summary>Flattens each tensor from axis 1, concatenates them and maps them to the logits by a random linear layer.</summary>
    public ModelProto Logits(int features, int classes, params string[] tensors)
    {
        var flat = tensors.Select(t => Node("Flatten", [t], Attr("axis", 1))).ToArray();
        var joined = flat.Length == 1 ? flat[0] : Node("Concat", flat, Attr("axis", 1));
        var gemm = new NodeProto
        {
            OpType = "Gemm", Name = "head", Input = { joined, Weight(1.0 / Math.Sqrt(features), classes, features), Weight(0.5, classes) },
            Output = { "logits" }, Attribute = { Attr("transB", 1) },
        };
        _graph.Node.Add(gemm);
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = GraphEditor.BatchSymbol });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = classes });
        _graph.Output.Add(Info("logits", shape));
        return new ModelProto { IrVersion = 8, Graph = _graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } };
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, params long[] values) => new() { Name = name, Type = AttributeType.Ints, Ints = { values } };

    private string Initializer(DataType type, long[] dims, Action<TensorProto> fill)
    {
        var tensor = new TensorProto { Name = $"w{_count++}", DataType = (int)type, Dims = { dims } };
        fill(tensor);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto Info(string name, TensorShapeProto shape) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } },
    };
}
