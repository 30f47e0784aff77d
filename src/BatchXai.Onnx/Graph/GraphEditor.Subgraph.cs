using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

public static partial class GraphEditor
{
    /// <summary>Name of the symbolic batch dimension given to an extracted subgraph's input.</summary>
    public const string BatchSymbol = "batch";

    /// <summary>
    /// A standalone model that computes <paramref name="outputTensors"/> from
    /// <paramref name="inputTensor"/> alone — e.g. a classifier's head evaluated on (ablated)
    /// feature maps. Keeps the needed nodes in their original (topological) order, the needed
    /// initializers, the opset imports and the IR version. The new input gets a symbolic batch
    /// dimension so many ablated copies can run in one call.
    /// </summary>
    /// <exception cref="OnnxGraphException">
    /// A name is unknown, an output does not depend on the input, or a needed tensor depends on
    /// another graph input (say, a Reshape whose target shape is read from the image input).
    /// </exception>
    public static ModelProto ExtractSubgraph(ModelProto model, string inputTensor, IReadOnlyList<string> outputTensors)
    {
        if (outputTensors.Count == 0)
            throw new OnnxGraphException("ExtractSubgraph needs at least one output tensor");
        var index = new GraphIndex(RequireGraph(model));
        RequireTensor(index, inputTensor, "cannot use it as the subgraph input");
        foreach (var output in outputTensors)
            RequireTensor(index, output, "cannot use it as a subgraph output");

        var (nodes, initializers) = CollectDependencies(index, inputTensor, outputTensors);

        // One deep clone keeps every field this schema does not know; then drop what is not needed.
        var extracted = model.Clone();
        var graph = extracted.Graph;
        graph.Name = $"{model.Graph.Name}_from_{inputTensor}";
        var keptNodes = graph.Node.Where((_, i) => nodes.Contains(model.Graph.Node[i])).ToArray();
        var keptInitializers = graph.Initializer.Where(t => initializers.Contains(t.Name)).ToArray();
        var keptOutputs = keptNodes.SelectMany(n => n.Output).ToHashSet();
        var keptValueInfo = graph.ValueInfo.Where(v => keptOutputs.Contains(v.Name)).ToArray();
        Replace(graph.Node, keptNodes);
        Replace(graph.Initializer, keptInitializers);
        Replace(graph.ValueInfo, keptValueInfo);
        Replace(graph.Input, [SubgraphInput(index, inputTensor)]);
        Replace(graph.Output, outputTensors.Distinct().Select(o => ValueInfoFor(index, o)).ToArray());
        return extracted;
    }

    private static void Replace<T>(Google.Protobuf.Collections.RepeatedField<T> field, T[] items)
    {
        field.Clear();
        field.AddRange(items);
    }

    /// <summary>
    /// Walks backwards from the outputs and stops at <paramref name="inputTensor"/>; returns the
    /// nodes and initializers on the way. Tensors read by nested graphs (If/Loop bodies) count as
    /// read by the node that owns them.
    /// </summary>
    private static (HashSet<NodeProto> Nodes, HashSet<string> Initializers) CollectDependencies(
        GraphIndex index, string inputTensor, IReadOnlyList<string> outputTensors)
    {
        var nodes = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var initializers = new HashSet<string>();
        var visited = new HashSet<string>();
        // Each pending tensor carries the node that reads it, to name it in the error message.
        var pending = new Stack<(string Tensor, NodeProto? Reader, string Output)>();
        foreach (var output in outputTensors)
            pending.Push((output, null, output));

        while (pending.Count > 0)
        {
            var (tensor, reader, output) = pending.Pop();
            if (tensor == inputTensor || !visited.Add(tensor))
                continue;
            if (index.Initializers.Contains(tensor))
            {
                initializers.Add(tensor);
                continue;
            }
            if (index.InputNames.Contains(tensor))
                throw DependsOnOtherInput(inputTensor, tensor, reader, output);
            if (!index.TryGetProducer(tensor, out var producer, out _))
                continue; // a name defined inside a nested graph, not in this scope
            nodes.Add(producer);
            foreach (var read in ReadTensors(producer).Where(r => r.Length > 0))
                pending.Push((read, producer, output));
        }

        foreach (var output in outputTensors)
            if (!DependsOn(index, output, inputTensor))
                throw new OnnxGraphException(
                    $"output '{output}' does not depend on '{inputTensor}' — the subgraph would ignore its input");
        return (nodes, initializers);
    }

    private static bool DependsOn(GraphIndex index, string tensor, string input)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([tensor]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current == input)
                return true;
            if (seen.Add(current) && index.TryGetProducer(current, out var producer, out _))
                foreach (var read in ReadTensors(producer))
                    pending.Push(read);
        }
        return false;
    }

    private static OnnxGraphException DependsOnOtherInput(string inputTensor, string graphInput, NodeProto? reader, string output)
    {
        var through = reader is null ? "directly" : $"through node '{NodeLabel(reader)}'";
        return new OnnxGraphException(
            $"'{output}' depends on graph input '{graphInput}' {through} — cannot evaluate it from '{inputTensor}' alone");
    }

    private static string NodeLabel(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType} → {node.Output.FirstOrDefault()}";

    /// <summary>The node's inputs plus every name read inside its nested graphs.</summary>
    private static IEnumerable<string> ReadTensors(NodeProto node) =>
        node.Input.Concat(node.Attribute.SelectMany(NestedGraphs).SelectMany(g => g.Node).SelectMany(ReadTensors));

    private static IEnumerable<GraphProto> NestedGraphs(AttributeProto attribute) =>
        attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);

    private static ValueInfoProto SubgraphInput(GraphIndex index, string inputTensor)
    {
        var input = ValueInfoFor(index, inputTensor);
        var dims = input.Type.TensorType.Shape?.Dim;
        // A fixed batch of 1 from export would stop ablations from running batched.
        if (dims is { Count: > 0 })
            dims[0] = new TensorShapeProto.Types.Dimension { DimParam = BatchSymbol };
        return input;
    }
}
