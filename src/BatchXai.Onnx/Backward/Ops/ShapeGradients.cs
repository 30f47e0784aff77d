using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Ops that only move elements: each gradient is the inverse move of the output gradient.</summary>
internal static class ShapeGradients
{
    public static string?[] Identity(GradientContext c) => c.Result(c.Grad);

    /// <summary>A float-to-float cast passes the gradient (cast back to the input's type is unneeded: gradients share one type).</summary>
    public static string?[] Cast(GradientContext c) => c.Result(c.Grad);

    /// <summary>Reshape, Flatten, Squeeze, Unsqueeze: the same elements in another shape.</summary>
    public static string?[] Reshape(GradientContext c)
    {
        c.RequireConstant(1);
        return c.Result(c.Emit.Emit("Reshape", [c.Grad, c.Emit.Shape(c.Input(0))]));
    }

    public static string?[] Transpose(GradientContext c)
    {
        var perm = c.Node.Ints("perm")
                   ?? Enumerable.Range(0, c.Rank(c.Input(0))).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return c.Result(c.Emit.Emit("Transpose", [c.Grad], Attr("perm", inverse)));
    }

    /// <summary>Split the output gradient at the inputs' sizes along the axis.</summary>
    public static string?[] Concat(GradientContext c)
    {
        var e = c.Emit;
        var axis = c.Node.Int("axis", 0);
        var sizes = c.Node.Input.Select(x => e.Emit("Gather", [e.Shape(x), e.Int64s(axis)])).ToArray();
        var split = e.Emit("Concat", sizes, Attr("axis", 0L));
        var pieces = e.EmitMulti("Split", [c.Grad, split], c.Node.Input.Count, Attr("axis", axis));
        return pieces.Select((p, i) => c.Needs(i) ? p : null).ToArray();
    }

    /// <summary>Concatenate the outputs' gradients (zeros for outputs nothing used).</summary>
    public static string?[] Split(GradientContext c)
    {
        c.RequireConstant(1);
        var e = c.Emit;
        var pieces = c.OutputGrads.Select((g, i) => g ?? e.Zeros(c.Output(i)));
        return c.Result(e.Emit("Concat", pieces, Attr("axis", c.Node.Int("axis", 0))));
    }

    /// <summary>
    /// Slice the flat positions of X with the node's own starts/ends/axes/steps, then scatter the
    /// gradient to those positions: right for negative, clamped and strided slices alike.
    /// </summary>
    public static string?[] Slice(GradientContext c)
    {
        c.RequireConstant(1, 2, 3, 4);
        var e = c.Emit;
        var positions = e.Emit("Slice", [e.Positions(c.Input(0)), .. c.Node.Input.Skip(1)]);
        return c.Result(e.ScatterAdd(c.Input(0), positions, c.Grad));
    }

    /// <summary>Constant padding: the gradient is the unpadded window, starting at the leading pads.</summary>
    public static string?[] Pad(GradientContext c)
    {
        c.RequireConstant(1, 2, 3);
        var e = c.Emit;
        if (c.Node.String("mode", "constant") != "constant")
            throw c.Unsupported($"mode={c.Node.String("mode", "")} (only constant padding is supported)");
        if (c.Node.OptionalInput(3) is not null)
            throw c.Unsupported("the axes input (opset 18) is not supported");
        if (c.Node.Find("pads") is not null)
            throw c.Unsupported("pads as an attribute (opset < 11)");
        var pads = c.Node.OptionalInput(1) ?? throw c.Unsupported("no pads input");
        if (e.Index.Initializer(pads) is { } constant && constant.Int64Data.Concat(RawInt64s(constant)).Any(p => p < 0))
            throw c.Unsupported("negative pads (cropping)");
        // pads = [begin per axis…, end per axis…]: the first half are the starts.
        var half = e.Emit("Div", [e.Emit("Shape", [pads]), e.Int64s(2)]);
        var starts = e.Emit("Slice", [pads, e.Int64s(0), half]);
        var ends = e.Emit("Add", [starts, e.Shape(c.Input(0))]);
        return c.Result(e.Emit("Slice", [c.Grad, starts, ends]));
    }

    private static IEnumerable<long> RawInt64s(TensorProto tensor)
    {
        var raw = tensor.RawData.Span;
        var values = new long[raw.Length / sizeof(long)];
        for (var i = 0; i < values.Length; i++)
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
        return values;
    }
}
