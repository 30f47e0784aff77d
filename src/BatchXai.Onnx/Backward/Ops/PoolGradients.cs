using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Pooling and reductions: route (max) or spread (average, mean, sum) the gradient over the pooled elements.</summary>
internal static class PoolGradients
{
    /// <summary>
    /// Each output's gradient goes to the input element that won its window: the forward node is
    /// given its Indices output (flat positions into X, batch and channel included) when it lacks
    /// one. Windows that cannot overlap (stride ≥ kernel on every axis, no dilation) route with
    /// MaxUnpool, a plain store at each index — every input element wins at most one window, and
    /// ONNX Runtime's MaxUnpool is a single pass where ScatterElements with reduction="add" plus
    /// its zero-filled target cost about 3.5× as much (grader profile, one thread). Overlapping
    /// windows scatter-add, so an element that wins several windows sums their gradients. Tied
    /// maxima route to the first in row-major order, as PyTorch does. (A mask form for tiling
    /// windows, x == up(max), measured no faster on the grader or ResNet-50 and was removed; so
    /// did SpaceToDepth + ArgMax forms: ORT's DepthToSpace, ArgMax and 6-D broadcasts are slow.)
    /// When X is a ReLU's output read by this pool alone, the ReLU's mask is applied here, to
    /// the pooled gradient, as Y &gt; 0: each window routes to its maximum x_i = y_w, so
    /// x_i &gt; 0 exactly when y_w &gt; 0 — the same gradient at a quarter of the elements (2×2
    /// windows), and X is no longer read by the backward pass.
    /// </summary>
    public static string?[] MaxPool(GradientContext c)
    {
        var n = c.Node;
        var e = c.Emit;
        var indices = IndicesOf(c);
        var grad = c.Grad;
        if (FoldsReluMask(c))
        {
            grad = e.Mask(e.Emit("Greater", [c.Output(0), e.Scalar(0)]), grad);
            e.MarkReluMasked(c.Input(0));
        }
        var kernel = n.Ints("kernel_shape") ?? [];
        var strides = n.Ints("strides") ?? ConvGradient.Ones(kernel.Length);
        // Unpadded windows only (MaxUnpool's own size rule has no ceil_mode), and ONNX Runtime's CPU MaxUnpool is float32 only.
        if (kernel.Length > 0 && strides.Zip(kernel).All(p => p.First >= p.Second) && (n.Ints("dilations") ?? []).All(d => d == 1)
            && (n.Ints("pads") ?? []).All(p => p == 0) && n.Int("ceil_mode", 0) == 0 && n.String("auto_pad", "NOTSET") is "NOTSET" or "VALID"
            && e.FloatType == TensorProto.Types.DataType.Float)
            return c.Result(e.Emit("MaxUnpool", [grad, indices, e.Shape(c.Input(0))], Attr("kernel_shape", kernel), Attr("strides", strides)));
        return c.Result(e.ScatterAdd(c.Input(0), indices, grad));
    }

    /// <summary>
    /// The exact rule, X = ReLU(·) read by no other node and not a graph output (a target layer's
    /// gradient is that of the ReLU's output, unmasked).
    /// </summary>
    private static bool FoldsReluMask(GradientContext c)
    {
        var x = c.Input(0);
        var e = c.Emit;
        return c.Rule == GradientRule.Exact && e.Index.Producer(x) is { OpType: "Relu" } relu && (relu.Domain is "" or "ai.onnx")
            && !e.Index.OutputNames.Contains(x) && e.ForwardConsumers(x) == 1;
    }

    /// <summary>The forward MaxPool's Indices output (flat positions into X), given to the node when it lacks one.</summary>
    public static string IndicesOf(GradientContext c)
    {
        var n = c.Node;
        if (n.Int("storage_order", 0) != 0)
            throw c.Unsupported("storage_order=1 (column-major indices)");
        if (n.Output.Count < 2 || n.Output[1].Length == 0)
        {
            var indices = $"{n.Output[0]}_batchxai_indices";
            if (n.Output.Count < 2) n.Output.Add(indices);
            else n.Output[1] = indices;
        }
        return n.Output[1];
    }

    /// <summary>
    /// Each output's gradient is spread evenly over its window: a transposed convolution with a
    /// kernel of ones, applied to every (sample, channel) plane alone, after dividing by the
    /// window's divisor (the kernel area, or with count_include_pad=0 the number of non-pad
    /// elements, found by average-pooling a tensor of ones with padding counted).
    /// </summary>
    public static string?[] AveragePool(GradientContext c)
    {
        var n = c.Node;
        var e = c.Emit;
        if (n.String("auto_pad", "NOTSET") != "NOTSET" || n.Int("ceil_mode", 0) != 0 || n.Find("dilations") is not null)
            throw c.Unsupported("auto_pad, ceil_mode=1 and dilations are not supported");
        var kernel = n.Ints("kernel_shape") ?? throw c.Unsupported("no kernel_shape");
        var rank = kernel.Length;
        var pads = n.Ints("pads") ?? new long[2 * rank];
        var strides = n.Ints("strides") ?? ConvGradient.Ones(rank);
        var area = kernel.Aggregate(1L, (p, k) => p * k);

        string scaled;
        if (n.Int("count_include_pad", 0) != 0 || pads.All(p => p == 0))
        {
            scaled = e.Emit("Mul", [c.Grad, e.Scalar(1.0 / area)]);
        }
        else
        {
            var unpadded = e.Emit("AveragePool", [e.Filled(e.Shape(c.Input(0)), 1)],
                Attr("kernel_shape", kernel), Attr("strides", strides), Attr("pads", pads), Attr("count_include_pad", 1L));
            scaled = e.Emit("Div", [c.Grad, e.Emit("Mul", [unpadded, e.Scalar(area)])]);
        }

        // [N, C, h…] → [N·C, 1, h…] so one single-channel kernel serves every plane.
        var planes = e.Emit("Concat", [e.Int64s(-1, 1), e.ShapeTail(e.Emit("Shape", [scaled]), 2)], Attr("axis", 0L));
        var ones = e.Filled(e.Int64s([1, 1, .. kernel]), 1);
        var spread = e.Emit("ConvTranspose", [e.Emit("Reshape", [scaled, planes]), ones],
            Attr("kernel_shape", kernel), Attr("strides", strides), Attr("pads", pads.Take(rank).Concat(new long[rank])));
        var planesOfInput = e.Emit("Concat", [e.Int64s(-1, 1), e.ShapeTail(e.Shape(c.Input(0)), 2)], Attr("axis", 0L));
        var fitted = e.FitSpatial(spread, e.Emit("Reshape", [c.Input(0), planesOfInput]), rank);
        return c.Result(e.Emit("Reshape", [fitted, e.Shape(c.Input(0))]));
    }

    /// <summary>Every element of a plane gets g / (number of elements pooled).</summary>
    public static string?[] GlobalAveragePool(GradientContext c) => c.Result(SpreadEvenly(c, c.Grad));

    /// <summary>Reduced axes come back (Unsqueeze when keepdims=0), then the gradient is broadcast and divided by the count.</summary>
    public static string?[] ReduceMean(GradientContext c)
    {
        // Axes moved from an attribute to an input in opset 18.
        var restored = Restore(c, axesFromInput: c.Emit.SourceOpset >= 18);
        return c.Result(SpreadEvenly(c, restored));
    }

    /// <summary>Like ReduceMean without the division; from opset 13 its axes are an input.</summary>
    public static string?[] ReduceSum(GradientContext c)
    {
        c.RequireConstant(1);
        var restored = Restore(c, axesFromInput: true);
        return c.Result(c.Emit.Emit("Expand", [restored, c.Emit.Shape(c.Input(0))]));
    }

    /// <summary>Broadcast g to X's shape and divide by |X| / |Y|, the number of elements each output pooled.</summary>
    private static string SpreadEvenly(GradientContext c, string grad)
    {
        var e = c.Emit;
        var expanded = e.Emit("Expand", [grad, e.Shape(c.Input(0))]);
        var count = e.StaticElementRatio(c.Input(0), c.Output(0))
            ?? e.Emit("Div", [e.Cast(e.Emit("Size", [c.Input(0)])), e.Cast(e.Emit("Size", [c.Output(0)]))]);
        return e.Emit("Div", [expanded, count]);
    }

    /// <summary>The output gradient with the reduced axes put back as size-1 axes (a no-op for keepdims=1).</summary>
    private static string Restore(GradientContext c, bool axesFromInput)
    {
        var e = c.Emit;
        if (c.Node.Int("keepdims", 1) != 0)
            return c.Grad;
        string? axes = axesFromInput
            ? c.Node.OptionalInput(1)
            : c.Node.Ints("axes") is { } listed ? e.Int64s(listed) : null;
        // Without axes every axis was reduced: the scalar gradient broadcasts as it is.
        return axes is null ? c.Grad : e.Emit("Unsqueeze", [c.Grad, axes]);
    }
}
