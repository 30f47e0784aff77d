using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;
using Dimension = BatchXai.Onnx.Proto.TensorShapeProto.Types.Dimension;

namespace BatchXai.Onnx.Backward;

/// <summary>
/// Appends backward nodes and constants to the graph being built, with unique names, and holds
/// the building blocks several op rules share. Shapes are read at run time (Shape nodes), so
/// the batch and any other dimension stay dynamic.
/// </summary>
internal sealed class GradientEmitter(GraphProto graph, GraphIndex index, DataType floatType, long sourceOpset)
{
    /// <summary>ScatterElements with reduction="add" (MaxPool and Slice gradients) needs opset 16.</summary>
    public const long ScatterAddOpset = 16;

    private readonly Dictionary<string, string> _shapes = new();
    private readonly HashSet<string> _reluMasked = new(StringComparer.Ordinal);
    private readonly int _forwardNodeCount = graph.Node.Count;
    private int _counter;

    public GraphIndex Index { get; } = index;

    /// <summary>The element type of the gradients (the logits' type): constants are made in it.</summary>
    public DataType FloatType { get; } = floatType;

    /// <summary>The default-domain opset of the forward graph (decides attribute vs input forms).</summary>
    public long SourceOpset { get; } = sourceOpset;

    /// <summary>The opset the model was exported at (it differs from <see cref="SourceOpset"/> after an in-memory upgrade), for messages.</summary>
    public long ExportedOpset { get; init; } = sourceOpset;

    /// <summary>The lowest default-domain opset the emitted nodes need.</summary>
    public long RequiredOpset { get; private set; } = 13;

    /// <summary>Names the forward node whose gradient is being emitted, for readable node names.</summary>
    public string Scope { get; set; } = "";

    public string Emit(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        EmitMulti(opType, inputs, 1, attributes)[0];

    public string[] EmitMulti(string opType, IEnumerable<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var id = _counter++;
        var node = new NodeProto { OpType = opType, Name = $"batchxai_grad/{Scope}/{opType}_{id}" };
        node.Input.AddRange(inputs);
        var outputs = Enumerable.Range(0, outputCount).Select(i => $"batchxai_grad_{id}_{opType}_{i}").ToArray();
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    public void Require(long opset) => RequiredOpset = Math.Max(RequiredOpset, opset);

    /// <summary>How many forward nodes (not the appended backward ones) read <paramref name="tensor"/>.</summary>
    public int ForwardConsumers(string tensor) =>
        graph.Node.Take(_forwardNodeCount).Count(n => n.Input.Contains(tensor));

    /// <summary>
    /// Records that the gradient reaching the ReLU output <paramref name="tensor"/> already carries
    /// the ReLU's mask (applied downstream, at a pool's smaller resolution): its rule passes it on.
    /// </summary>
    public void MarkReluMasked(string tensor) => _reluMasked.Add(tensor);

    public bool IsReluMasked(string tensor) => _reluMasked.Contains(tensor);

    /// <summary>A 1-D int64 constant.</summary>
    public string Int64s(params long[] values) => Constant(new TensorProto { DataType = (int)DataType.Int64, Dims = { values.Length }, Int64Data = { values } });

    /// <summary>A rank-0 int64 constant.</summary>
    public string Int64Scalar(long value) => Constant(new TensorProto { DataType = (int)DataType.Int64, Int64Data = { value } });

    /// <summary>A rank-0 constant of the gradient element type.</summary>
    public string Scalar(double value) => Constant(FloatTensor(value, []));

    public TensorProto FloatTensor(double value, long[] dims)
    {
        var tensor = new TensorProto { DataType = (int)FloatType, Dims = { dims } };
        if (FloatType == DataType.Double) tensor.DoubleData.Add(value);
        else if (FloatType == DataType.Float) tensor.FloatData.Add((float)value);
        else throw new OnnxGraphException($"backward graphs are built for float and double models, not {FloatType}");
        return tensor;
    }

    /// <summary>
    /// The shape of a forward tensor as an int64 tensor: a constant where the shape is known
    /// statically (<see cref="ShapeResolver"/>), its symbolic dims (the batch) read from the graph
    /// input that declares them; otherwise a Shape node on the tensor. One per tensor. A Shape node
    /// on an activation costs far more than it looks: ONNX Runtime then reorders the activation out
    /// of its blocked layout and no longer fuses a residual Add into the convolution before it.
    /// </summary>
    public string Shape(string tensor)
    {
        if (!_shapes.TryGetValue(tensor, out var shape))
            _shapes[tensor] = shape = StaticShape(tensor) ?? Emit("Shape", [tensor]);
        return shape;
    }

    /// <summary>|a| / |b| (element counts) as a scalar constant when both shapes are known and their symbolic dims cancel, else null.</summary>
    public string? StaticElementRatio(string a, string b)
    {
        if (Index.Shapes.Known(a) is not { } da || Index.Shapes.Known(b) is not { } db)
            return null;
        var symbolsA = da.Where(d => d.Value is null).Select(d => d.Symbol).Order().ToList();
        var symbolsB = db.Where(d => d.Value is null).Select(d => d.Symbol).Order().ToList();
        if (!symbolsA.SequenceEqual(symbolsB))
            return null;
        double Count(StaticDim[] dims) => dims.Where(d => d.Value is not null).Aggregate(1.0, (p, d) => p * d.Value!.Value);
        return Scalar(Count(da) / Count(db));
    }

    private string? StaticShape(string tensor)
    {
        if (Index.InputNames.Contains(tensor) || Index.Shapes.Known(tensor) is not { } dims)
            return null;
        var parts = new List<string>();
        var constants = new List<long>();
        foreach (var dim in dims)
        {
            if (dim.Value is { } value)
            {
                constants.Add(value);
                continue;
            }
            if (SymbolSource(dim.Symbol!) is not { } source)
                return null;
            if (constants.Count > 0) parts.Add(Int64s([.. constants]));
            constants.Clear();
            parts.Add(source);
        }
        if (constants.Count > 0) parts.Add(Int64s([.. constants]));
        return parts.Count == 1 ? parts[0] : Emit("Concat", parts, Attr("axis", 0L));
    }

    /// <summary>A 1-element int64 tensor holding the run-time value of a symbolic dim, read from the first graph input that declares it.</summary>
    private string? SymbolSource(string symbol)
    {
        foreach (var input in Index.Inputs)
        {
            var dims = input.Type?.TensorType?.Shape?.Dim;
            for (int i = 0; dims is not null && i < dims.Count; i++)
                if (dims[i].ValueCase == Dimension.ValueOneofCase.DimParam && dims[i].DimParam == symbol)
                    return Emit("Slice", [Shape(input.Name), Int64s(i), Int64s(i + 1)]);
        }
        return null;
    }

    /// <summary>A tensor of <paramref name="shape"/> (an int64 shape tensor) filled with <paramref name="value"/>.</summary>
    public string Filled(string shape, double value) => Emit("ConstantOfShape", [shape], Attr("value", FloatTensor(value, [1])));

    /// <summary>Dims from <paramref name="start"/> on of a shape tensor.</summary>
    public string ShapeTail(string shape, long start) => Emit("Slice", [shape, Int64s(start), Int64s(long.MaxValue)]);

    /// <summary>[−1, 1, …, 1] with as many dims as <paramref name="input"/>, less the batch: a per-channel vector that broadcasts against it.</summary>
    public string ChannelShape(string input)
    {
        var trailing = Emit("Sub", [Emit("Shape", [Shape(input)]), Int64s(2)]);
        return Emit("Concat", [Int64s(-1), Emit("Expand", [Int64s(1), trailing])], Attr("axis", 0L));
    }

    public string Cast(string tensor) => Emit("Cast", [tensor], Attr("to", (long)FloatType));

    public string Zeros(string like) => Filled(Shape(like), 0);

    /// <summary>
    /// grad where <paramref name="condition"/> holds, else 0: grad · Cast(condition). Equal to
    /// Where(condition, grad, 0) for finite gradients (a masked-out infinite or NaN one would give
    /// NaN); ONNX Runtime's CPU Where with a broadcast scalar profiled about 5× slower than this.
    /// </summary>
    public string Mask(string condition, string grad) => Emit("Mul", [grad, Cast(condition)]);

    /// <summary>The rank of a forward tensor, or an error naming the node whose rule needs it.</summary>
    public int Rank(string tensor, NodeProto node, GradientRule rule) =>
        Index.Ranks.Resolve(tensor)
        ?? throw new UnsupportedOpException(node, rule, ExportedOpset, $"the rank of '{tensor}' is needed but neither declared nor inferable");

    /// <summary>
    /// Sums <paramref name="grad"/> (the gradient of a broadcast result) back to the shape of
    /// <paramref name="operand"/>: over the leading axes the operand lacks and over every axis
    /// where the operand has size 1 (summing a size-1 result axis changes nothing). Computed
    /// from run-time shapes; skipped when the declared shapes of the operand and of
    /// <paramref name="sameShapeAsGrad"/> (a forward tensor shaped like the gradient) match.
    /// </summary>
    public string Unbroadcast(string grad, string operand, string? sameShapeAsGrad)
    {
        if (sameShapeAsGrad is not null && SameStaticShape(operand, sameShapeAsGrad))
            return grad;
        var operandShape = Shape(operand);
        var gradShape = Emit("Shape", [grad]);
        var missingRank = Emit("Sub", [Emit("Shape", [gradShape]), Emit("Shape", [operandShape])]);
        var aligned = Emit("Concat", [Emit("Expand", [Int64s(1), missingRank]), operandShape], Attr("axis", 0L));
        var axes = Emit("Reshape", [Emit("NonZero", [Emit("Equal", [aligned, Int64s(1)])]), Int64s(-1)]);
        var summed = Emit("ReduceSum", [grad, axes], Attr("keepdims", 1L), Attr("noop_with_empty_axes", 1L));
        return Emit("Reshape", [summed, operandShape]);
    }

    /// <summary>
    /// A zero tensor shaped like <paramref name="input"/> into which <paramref name="updates"/>
    /// are added at the flat (row-major) positions <paramref name="flatIndices"/> (same shape as
    /// the updates). Repeated indices accumulate, as overlapping pooling windows need.
    /// </summary>
    public string ScatterAdd(string input, string flatIndices, string updates)
    {
        Require(ScatterAddOpset);
        var row = Int64s(1, -1);
        var zeros = Emit("Reshape", [Filled(Shape(input), 0), row]);
        var scattered = Emit("ScatterElements",
            [zeros, Emit("Reshape", [flatIndices, row]), Emit("Reshape", [updates, row])],
            Attr("axis", 1L), Attr("reduction", "add"));
        return Emit("Reshape", [scattered, Shape(input)]);
    }

    /// <summary>The flat row-major position of every element of <paramref name="input"/>, in its shape (int64).</summary>
    public string Positions(string input)
    {
        var count = Emit("ReduceProd", [Shape(input)], Attr("keepdims", 0L));
        return Emit("Reshape", [Emit("Range", [Int64Scalar(0), count, Int64Scalar(1)]), Shape(input)]);
    }

    /// <summary>
    /// Crops or zero-extends the trailing <paramref name="spatialRank"/> dims of
    /// <paramref name="grad"/> (a transposed convolution's output, padded only at the start) to
    /// those of <paramref name="input"/>: input positions no window reached get gradient 0.
    /// </summary>
    public string FitSpatial(string grad, string input, int spatialRank)
    {
        var axes = Enumerable.Range(2, spatialRank).Select(a => (long)a).ToArray();
        var target = ShapeTail(Shape(input), 2);
        var cropped = Emit("Slice", [grad, Int64s(new long[spatialRank]), target, Int64s(axes)]);
        var deficit = Emit("Sub", [target, ShapeTail(Emit("Shape", [cropped]), 2)]);
        var pads = Emit("Concat", [Int64s(new long[spatialRank + 4]), deficit], Attr("axis", 0L));
        return Emit("Pad", [cropped, pads]);
    }

    private bool SameStaticShape(string a, string b) =>
        Index.Shapes.Known(a) is { } da && Index.Shapes.Known(b) is { } db && da.Length == db.Length && da.Zip(db).All(p => p.First.SameAs(p.Second));

    private string Constant(TensorProto tensor)
    {
        tensor.Name = $"batchxai_grad_const_{_counter++}";
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }
}
