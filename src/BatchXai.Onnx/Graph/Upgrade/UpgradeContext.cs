using BatchXai.Onnx.Proto;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>
/// One graph being upgraded: collects the rewritten node list in order (a rewrite may put several
/// nodes where one was), adds the constants that attributes become, and answers type and rank
/// questions about the graph as exported.
/// </summary>
internal sealed class UpgradeContext(GraphProto graph, long sourceOpset)
{
    private readonly List<NodeProto> _nodes = new(graph.Node.Count);
    private readonly GraphIndex _index = new(graph);
    private int _counter;

    public long SourceOpset { get; } = sourceOpset;

    /// <summary>Keeps a node (possibly edited in place) at this point of the graph.</summary>
    public void Keep(NodeProto node) => _nodes.Add(node);

    /// <summary>Adds a new node at this point of the graph and returns its (single) output.</summary>
    public string Add(NodeProto scopeNode, string opType, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var name = $"{Label(scopeNode)}_batchxai_upgrade_{opType}_{_counter++}";
        var node = new NodeProto { OpType = opType, Name = name, Input = { inputs }, Output = { name + "_out" } };
        node.Attribute.AddRange(attributes);
        _nodes.Add(node);
        return node.Output[0];
    }

    /// <summary>A 1-D int64 initializer holding <paramref name="values"/>.</summary>
    public string Int64s(NodeProto scopeNode, string what, IEnumerable<long> values)
    {
        var array = values.ToArray();
        return AddInitializer(scopeNode, what, new TensorProto { DataType = (int)DataType.Int64, Dims = { array.Length }, Int64Data = { array } });
    }

    /// <summary>A 1-D float initializer holding <paramref name="values"/> (Resize's scales).</summary>
    public string Floats(NodeProto scopeNode, string what, IEnumerable<float> values)
    {
        var array = values.ToArray();
        return AddInitializer(scopeNode, what, new TensorProto { DataType = (int)DataType.Float, Dims = { array.Length }, FloatData = { array } });
    }

    /// <summary>A rank-0 initializer of <paramref name="type"/> (float, double or float16) holding <paramref name="value"/>.</summary>
    public string Scalar(NodeProto scopeNode, string what, DataType type, double value)
    {
        var tensor = new TensorProto { DataType = (int)type };
        switch (type)
        {
            case DataType.Float: tensor.FloatData.Add((float)value); break;
            case DataType.Double: tensor.DoubleData.Add(value); break;
            case DataType.Float16: tensor.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)value)); break;
            default: throw Refuse(scopeNode, $"its input is of type {type}; only float, double and float16 constants can be made for it");
        }
        return AddInitializer(scopeNode, what, tensor);
    }

    /// <summary>The element type of a tensor as exported (declared, or inferred from its producer).</summary>
    public DataType ElementType(string tensor) => _index.ElementTypes.Resolve(tensor);

    /// <summary>The rank of a tensor as exported, or null when neither declared nor inferable.</summary>
    public int? Rank(string tensor) => _index.Ranks.Resolve(tensor);

    /// <summary>True when some node of this graph, or a graph output, reads <paramref name="tensor"/>.</summary>
    public bool IsRead(string tensor) =>
        graph.Output.Any(o => o.Name == tensor) || graph.Node.Any(n => n.Input.Contains(tensor) || ReadsInBody(n, tensor));

    public OnnxGraphException Refuse(NodeProto node, string reason) =>
        new($"node '{Label(node)}' (op {node.OpType}, opset {SourceOpset}) cannot be upgraded to opset {OpsetUpgrader.TargetOpset}: {reason}");

    /// <summary>Replaces the graph's node list with the collected one.</summary>
    public void Commit()
    {
        graph.Node.Clear();
        graph.Node.AddRange(_nodes);
    }

    private string AddInitializer(NodeProto scopeNode, string what, TensorProto tensor)
    {
        tensor.Name = $"{Label(scopeNode)}_batchxai_{what}_{_counter++}";
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static bool ReadsInBody(NodeProto node, string tensor) =>
        node.Attribute.Any(a => a.G is { } g && g.Node.Any(n => n.Input.Contains(tensor)) || a.Graphs.Any(g => g.Node.Any(n => n.Input.Contains(tensor))));

    private static string Label(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}_{node.Output.FirstOrDefault()}";

    /// <summary>Drops the named attributes from a node (they became inputs or lost their meaning).</summary>
    public static void RemoveAttributes(NodeProto node, params string[] names)
    {
        foreach (var attribute in node.Attribute.Where(a => names.Contains(a.Name)).ToArray())
            node.Attribute.Remove(attribute);
    }

    /// <summary>Sets input <paramref name="index"/>, padding skipped optional inputs with "" (absent).</summary>
    public static void SetInput(NodeProto node, int index, string name)
    {
        while (node.Input.Count <= index) node.Input.Add("");
        node.Input[index] = name;
    }
}
