using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// Edits of ONNX models that BatchXai needs before running them. Every edit returns a new
/// model and leaves its argument untouched; fields this schema does not know are carried over.
/// </summary>
public static partial class GraphEditor
{
    /// <summary>
    /// Adds intermediate tensors (e.g. the target layer) to the graph outputs so a session can
    /// fetch them. Names that already are outputs are left as they are.
    /// </summary>
    /// <exception cref="OnnxGraphException">A name is not a tensor of the graph.</exception>
    public static ModelProto ExposeOutputs(ModelProto model, IEnumerable<string> tensorNames)
    {
        var edited = model.Clone();
        var graph = RequireGraph(edited);
        var index = new GraphIndex(graph);
        foreach (var name in tensorNames.Distinct())
        {
            if (index.OutputNames.Contains(name))
                continue;
            RequireTensor(index, name, "cannot expose it as an output");
            graph.Output.Add(ValueInfoFor(index, name));
        }
        return edited;
    }

    /// <summary>
    /// The declared value info of <paramref name="tensor"/> when it carries an element type and
    /// shape (ONNX Runtime needs the type on every graph input and output, the ONNX checker the
    /// shape too); otherwise one with the element type inferred from the producer and, where the
    /// rank can be inferred, a shape of unknown dims. Without a rank the shape is left out, which
    /// ONNX Runtime accepts.
    /// </summary>
    private static ValueInfoProto ValueInfoFor(GraphIndex index, string tensor)
    {
        if (index.Declared(tensor) is { Type.TensorType: { ElemType: > 0, Shape: not null } } declared)
            return declared.Clone();
        var type = new TypeProto.Types.Tensor { ElemType = (int)index.ElementTypes.Resolve(tensor) };
        if (index.Ranks.Resolve(tensor) is { } rank)
        {
            type.Shape = new TensorShapeProto();
            type.Shape.Dim.AddRange(Enumerable.Range(0, rank).Select(_ => new TensorShapeProto.Types.Dimension()));
        }
        return new ValueInfoProto { Name = tensor, Type = new TypeProto { TensorType = type } };
    }

    private static void RequireTensor(GraphIndex index, string name, string consequence)
    {
        if (index.IsTensor(name))
            return;
        var candidates = string.Join(", ", index.SuggestTensors(name).Select(c => $"'{c}'"));
        throw new OnnxGraphException(
            $"tensor '{name}' is not in graph '{index.Graph.Name}' — {consequence}. Candidates: {candidates}");
    }

    private static GraphProto RequireGraph(ModelProto model) =>
        model.Graph ?? throw new OnnxGraphException("the ONNX model has no graph");
}
