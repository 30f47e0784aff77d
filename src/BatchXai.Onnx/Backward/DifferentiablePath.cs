using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Onnx.Backward;

/// <summary>
/// The tensors through which the logits depend differentiably on the input: floating-point
/// tensors reachable from the input, not through shape or index computations, and from which
/// the logits are reachable. Initializers, constants and shape-only subgraphs (Shape → Gather →
/// Concat → Reshape's shape input) fall outside it and get no gradient.
/// </summary>
internal sealed class DifferentiablePath
{
    /// <summary>Ops whose outputs carry no gradient even when their inputs do.</summary>
    private static readonly HashSet<string> NonDifferentiable = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "ConstantOfShape", "Constant", "ArgMax", "ArgMin", "NonZero", "Range", "EyeLike",
        "RandomNormalLike", "RandomUniformLike", "Floor", "Ceil", "Round", "Sign",
    };

    private static readonly HashSet<DataType> FloatTypes = [DataType.Float, DataType.Double, DataType.Float16, DataType.Bfloat16];

    private readonly HashSet<string> _onPath;

    public DifferentiablePath(GraphIndex index, string input, string logits)
    {
        var live = new HashSet<string> { input };
        foreach (var node in index.Graph.Node)
        {
            if (NonDifferentiable.Contains(node.OpType) || !node.Input.Any(live.Contains))
                continue;
            foreach (var output in node.Output.Where(o => o.Length > 0 && FloatTypes.Contains(index.ElementTypes.Resolve(o))))
                live.Add(output);
        }

        _onPath = live.Contains(logits) ? [logits] : [];
        foreach (var node in index.Graph.Node.Reverse())
            if (node.Output.Any(_onPath.Contains))
                foreach (var read in node.Input.Where(live.Contains))
                    _onPath.Add(read);
    }

    public bool Contains(string tensor) => _onPath.Contains(tensor);

    /// <summary>True when some output of <paramref name="node"/> lies on the path.</summary>
    public bool Contains(NodeProto node) => node.Output.Any(_onPath.Contains);
}
