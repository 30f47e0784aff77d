using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Look-up tables over one <see cref="GraphProto"/>: who produces each tensor, which names are
/// initializers or real inputs, and the declared value infos. Built once, read many times;
/// it does not follow later edits of the graph.
/// </summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, (NodeProto Node, int OutputIndex)> _producers = new();
    private readonly Dictionary<string, ValueInfoProto> _declared = new();
    private readonly Dictionary<string, TensorProto> _initializers = new();

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var node in graph.Node)
            for (var i = 0; i < node.Output.Count; i++)
                if (node.Output[i].Length > 0)
                    _producers[node.Output[i]] = (node, i);

        foreach (var initializer in graph.Initializer)
            _initializers[initializer.Name] = initializer;
        Initializers = _initializers.Keys.ToHashSet();
        // Before IR 4 initializers were also listed as graph inputs; they are not inputs to feed.
        Inputs = graph.Input.Where(i => !Initializers.Contains(i.Name)).ToArray();
        InputNames = Inputs.Select(i => i.Name).ToHashSet();
        OutputNames = graph.Output.Select(o => o.Name).ToHashSet();

        // Later lists win: a graph input/output declaration is more authoritative than value_info.
        foreach (var info in graph.ValueInfo.Concat(graph.Input).Concat(graph.Output))
            _declared[info.Name] = info;
        ElementTypes = new ElementTypeResolver(this);
        Ranks = new RankResolver(this);
        Shapes = new ShapeResolver(this);
    }

    public GraphProto Graph { get; }

    public IReadOnlySet<string> Initializers { get; }

    /// <summary>Graph inputs that must be fed (initializers excluded), in declaration order.</summary>
    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    public IReadOnlySet<string> InputNames { get; }

    public IReadOnlySet<string> OutputNames { get; }

    public ElementTypeResolver ElementTypes { get; }

    public RankResolver Ranks { get; }

    public ShapeResolver Shapes { get; }

    public NodeProto? Producer(string tensor) => _producers.TryGetValue(tensor, out var p) ? p.Node : null;

    public bool TryGetProducer(string tensor, out NodeProto node, out int outputIndex)
    {
        var found = _producers.TryGetValue(tensor, out var p);
        (node, outputIndex) = found ? p : (null!, -1);
        return found;
    }

    public ValueInfoProto? Declared(string tensor) => _declared.GetValueOrDefault(tensor);

    public IEnumerable<ValueInfoProto> AllDeclared => _declared.Values;

    public TensorProto? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>True for any name a node may read: node outputs, graph inputs and initializers.</summary>
    public bool IsTensor(string name) =>
        _producers.ContainsKey(name) || InputNames.Contains(name) || Initializers.Contains(name);

    /// <summary>
    /// A few tensor names to suggest when <paramref name="wrongName"/> is not in the graph: names
    /// that contain it (or are contained in it) first, then outputs of the ops that usually end a
    /// feature extractor, nearest the end of the graph first — where a target layer usually is.
    /// </summary>
    public IReadOnlyList<string> SuggestTensors(string wrongName, int max = 5)
    {
        var nodeOutputs = Graph.Node.Reverse().SelectMany(n => n.Output.Where(o => o.Length > 0)).ToList();
        var similar = nodeOutputs.Where(o =>
            wrongName.Length > 0 &&
            (o.Contains(wrongName, StringComparison.OrdinalIgnoreCase) ||
             wrongName.Contains(o, StringComparison.OrdinalIgnoreCase)));
        var featureLike = Graph.Node.Reverse()
            .Where(n => FeatureOps.Contains(n.OpType))
            .SelectMany(n => n.Output.Take(1));
        return similar.Concat(featureLike).Concat(nodeOutputs).Distinct().Take(max).ToArray();
    }

    private static readonly HashSet<string> FeatureOps = new(StringComparer.Ordinal)
    {
        "Relu", "Conv", "Clip", "HardSwish", "Sigmoid", "Mul", "Add", "BatchNormalization",
        "Concat", "MaxPool", "LeakyRelu", "Elu", "Selu",
    };
}
