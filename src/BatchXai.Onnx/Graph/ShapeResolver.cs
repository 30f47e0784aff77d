using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph;

/// <summary>One dimension of a statically known shape: a number, or a named symbol (e.g. the batch) shared by every tensor that carries it.</summary>
internal readonly record struct StaticDim(long? Value, string? Symbol)
{
    public static StaticDim Of(long value) => new(value, null);

    public bool Known => Value is not null || Symbol is not null;

    public bool SameAs(StaticDim other) => Value is { } v ? other.Value == v : Symbol is { } s && other.Symbol == s;
}

/// <summary>
/// Finds the shape of a tensor without running the model, for the ops a CNN is made of —
/// declared shapes and initializers, shape-preserving activations and normalisation, numpy
/// broadcasting, convolution and pooling (explicit pads), global pooling, Flatten and Gemm — with
/// symbolic dims (the batch) carried through by name. Null where it cannot tell. The backward
/// graph builder reads shapes from here instead of adding Shape nodes on forward activations:
/// ONNX Runtime keeps those activations in its blocked NCHWc layout, and a Shape consumer forces a
/// full reorder to NCHW and stops it fusing the residual Add into the convolution before it.
/// </summary>
internal sealed class ShapeResolver(GraphIndex index) : TensorPropertyResolver<StaticDim[]?>(index)
{
    private static readonly HashSet<string> ShapePreserving = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign",
        "Clip", "Erf", "Gelu", "Mish", "Exp", "Log", "Sqrt", "Abs", "Neg", "Reciprocal", "Softmax", "LogSoftmax", "Cast",
        "Identity", "Dropout", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean",
    };

    protected override StaticDim[]? Fallback => null;

    /// <summary>The shape when every dim is a number or a symbol, else null.</summary>
    public StaticDim[]? Known(string tensor) => Resolve(tensor) is { } dims && dims.All(d => d.Known) ? dims : null;

    protected override StaticDim[]? ResolveUncached(string tensor)
    {
        var declared = Declared(tensor);
        if (declared is not null && declared.All(d => d.Known))
            return declared;
        // A declaration of unknown dims (an exposed output declares its rank only): fill them in from the producer.
        var inferred = Inferred(tensor);
        if (declared is null) return inferred;
        if (inferred is null || inferred.Length != declared.Length) return declared;
        return [.. declared.Zip(inferred, (d, i) => d.Known ? d : i)];
    }

    private StaticDim[]? Declared(string tensor)
    {
        if (Index.Declared(tensor)?.Type?.TensorType?.Shape is { } shape)
            return [.. shape.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => StaticDim.Of(d.DimValue),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when d.DimParam.Length > 0 => new StaticDim(null, d.DimParam),
                _ => default,
            })];
        return Index.Initializer(tensor) is { } initializer ? [.. initializer.Dims.Select(StaticDim.Of)] : null;
    }

    private StaticDim[]? Inferred(string tensor)
    {
        if (!Index.TryGetProducer(tensor, out var node, out var outputIndex))
            return null;
        // MaxPool's Indices output is shaped like its values.
        if (outputIndex != 0 && !(outputIndex == 1 && node.OpType == "MaxPool"))
            return null;
        return node.OpType switch
        {
            "Conv" => Windowed(node, Input(node, 1) is { Length: > 2 } w ? w[0] : null, Input(node, 1)?.Skip(2).Select(d => d.Value).ToArray()),
            "MaxPool" or "AveragePool" => Windowed(node, null, node.Attribute.FirstOrDefault(a => a.Name == "kernel_shape")?.Ints.Select(k => (long?)k).ToArray()),
            "GlobalAveragePool" or "GlobalMaxPool" => Input(node, 0) is { Length: > 2 } x ? [x[0], x[1], .. x.Skip(2).Select(_ => StaticDim.Of(1))] : null,
            "Flatten" => Flatten(node),
            "Gemm" => Gemm(node),
            _ when ShapePreserving.Contains(node.OpType) => Input(node, 0),
            _ when Broadcasting.Contains(node.OpType) => Broadcast(node),
            _ => null,
        };
    }

    private StaticDim[]? Input(NodeProto node, int input) =>
        node.Input.Count > input && node.Input[input].Length > 0 ? Resolve(node.Input[input]) : null;

    private static long[]? Ints(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

    /// <summary>Convolution and pooling: [N, channels, ⌊(in + pads − d(k−1) − 1)/s⌋ + 1 …] (⌈⌉ with ceil_mode), explicit pads only.</summary>
    private StaticDim[]? Windowed(NodeProto node, StaticDim? outChannels, long?[]? kernel)
    {
        if (Input(node, 0) is not { Length: > 2 } x || kernel is null || kernel.Any(k => k is null) || kernel.Length != x.Length - 2)
            return null;
        if (node.Attribute.FirstOrDefault(a => a.Name == "auto_pad") is { } autoPad && autoPad.S.ToStringUtf8() != "NOTSET")
            return null;
        int rank = kernel.Length;
        var pads = Ints(node, "pads") ?? new long[2 * rank];
        var strides = Ints(node, "strides") ?? Enumerable.Repeat(1L, rank).ToArray();
        var dilations = Ints(node, "dilations") ?? Enumerable.Repeat(1L, rank).ToArray();
        bool ceil = node.Attribute.FirstOrDefault(a => a.Name == "ceil_mode") is { I: not 0 };
        var result = new StaticDim[x.Length];
        result[0] = x[0];
        result[1] = outChannels ?? x[1];
        for (int a = 0; a < rank; a++)
        {
            if (x[a + 2].Value is not { } size) return null;
            long span = size + pads[a] + pads[rank + a] - dilations[a] * (kernel[a]!.Value - 1) - 1;
            long steps = ceil ? (span + strides[a] - 1) / strides[a] : span / strides[a];
            // ONNX ceil mode drops a last window that would start in the end padding.
            if (ceil && steps * strides[a] >= size + pads[a]) steps--;
            result[a + 2] = StaticDim.Of(steps + 1);
        }
        return result;
    }

    /// <summary>[∏ dims before axis, ∏ dims from axis]; a product is known when it has numbers only, or one symbol times ones.</summary>
    private StaticDim[]? Flatten(NodeProto node)
    {
        if (Input(node, 0) is not { } x) return null;
        long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1;
        if (axis < 0) axis += x.Length;
        return [Product(x.Take((int)axis)), Product(x.Skip((int)axis))];
    }

    private static StaticDim Product(IEnumerable<StaticDim> dims)
    {
        var list = dims.ToList();
        if (list.Any(d => !d.Known)) return default;
        var symbols = list.Where(d => d.Symbol is not null).ToList();
        long value = list.Where(d => d.Value is not null).Aggregate(1L, (p, d) => p * d.Value!.Value);
        return symbols.Count switch
        {
            0 => StaticDim.Of(value),
            1 when value == 1 => symbols[0],
            _ => default,
        };
    }

    private StaticDim[]? Gemm(NodeProto node)
    {
        if (Input(node, 0) is not { Length: 2 } a || Input(node, 1) is not { Length: 2 } b) return null;
        bool transA = node.Attribute.FirstOrDefault(x => x.Name == "transA") is { I: not 0 };
        bool transB = node.Attribute.FirstOrDefault(x => x.Name == "transB") is { I: not 0 };
        return [transA ? a[1] : a[0], transB ? b[0] : b[1]];
    }

    /// <summary>numpy broadcasting, right-aligned; null where two dims neither match nor have a 1.</summary>
    private StaticDim[]? Broadcast(NodeProto node)
    {
        var shapes = node.Input.Where(i => i.Length > 0).Select(Resolve).ToList();
        if (shapes.Any(s => s is null)) return null;
        int rank = shapes.Max(s => s!.Length);
        var result = new StaticDim[rank];
        for (int a = 0; a < rank; a++)
        {
            StaticDim? dim = null;
            foreach (var s in shapes)
            {
                int i = a - (rank - s!.Length);
                if (i < 0) continue;
                var d = s[i];
                if (!d.Known) return null;
                if (dim is null || dim.Value.Value == 1) dim = d;
                else if (d.Value != 1 && !d.SameAs(dim.Value)) return null;
            }
            result[a] = dim ?? StaticDim.Of(1);
        }
        return result;
    }
}
