using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Convolution and inference batch-normalisation: their linear parts, transposed.</summary>
internal static class ConvGradient
{
    /// <summary>
    /// ∂X = ConvTranspose(g, W) with the same strides, dilations and groups (ConvTranspose reads
    /// the [M, C/group, k…] weight as [in, out/group, k…], which is exactly the transpose). Only
    /// the leading pads are passed; <see cref="GradientEmitter.FitSpatial"/> then crops or
    /// zero-extends to X's exact size, which replaces output_padding and works with dynamic shapes.
    /// A polyphase form for stride s (one unit-stride Conv whose s²·C output channels are the
    /// phases' zero-padded sub-kernels, then DepthToSpace) was measured and not kept: exact, but
    /// on ResNet-50 (batch 16, one thread) the stem and 3×3 stride-2 gradients went from 118 ms/run
    /// of ConvTranspose to 313 (Conv 267 + DepthToSpace 46: the padded phase kernels hold 64/49
    /// and 16/9 of the taps, and ConvTranspose is already one GEMM); with 1×1 stride 2 too (one
    /// non-empty phase of four) gradient/inference rose 2.69 → 3.06 (CPU time, medians).
    /// </summary>
    public static string?[] Conv(GradientContext c)
    {
        c.RequireConstant(1, 2);
        var n = c.Node;
        if (n.String("auto_pad", "NOTSET") != "NOTSET")
            throw c.Unsupported($"auto_pad={n.String("auto_pad", "")} (only explicit pads are supported)");
        var spatialRank = SpatialRank(c);
        var pads = n.Ints("pads") ?? new long[2 * spatialRank];
        var strides = n.Ints("strides") ?? Ones(spatialRank);
        var dilations = n.Ints("dilations") ?? Ones(spatialRank);
        if (FewInputChannels(c) && strides.All(s => s == 1))
            return c.Result(c.Emit.Emit("ConvTranspose", [c.Grad, c.Input(1)],
                Attr("strides", strides), Attr("dilations", dilations), Attr("group", n.Int("group", 1)), Attr("pads", pads),
                Attr("kernel_shape", n.Ints("kernel_shape") ?? c.Emit.Index.Initializer(c.Input(1))!.Dims.Skip(2).ToArray())));
        if (StrideOneAsConv(c, strides, dilations, pads) is { } asConv)
            return c.Result(asConv);
        var attributes = new List<AttributeProto>
        {
            Attr("strides", strides),
            Attr("dilations", dilations),
            Attr("group", n.Int("group", 1)),
            Attr("pads", pads.Take(spatialRank).Concat(new long[spatialRank])),
        };
        if (n.Ints("kernel_shape") is { } kernel) attributes.Add(Attr("kernel_shape", kernel));
        var transposed = c.Emit.Emit("ConvTranspose", [c.Grad, c.Input(1)], attributes.ToArray());
        return c.Result(c.Emit.FitSpatial(transposed, c.Input(0), spatialRank));
    }

    /// <summary>
    /// With unit strides and one group, the transposed convolution is an ordinary convolution of g
    /// with the weight's in/out axes swapped and its kernel flipped, padded by d·(k−1) − p on each
    /// side — which gives exactly X's size. ONNX Runtime runs Conv far faster than ConvTranspose
    /// on CPU (blocked NCHWc kernels instead of GEMM + col2im), and folds the weight's Transpose
    /// and Slice into a constant at session start. Null when that form does not apply.
    /// </summary>
    private static string? StrideOneAsConv(GradientContext c, long[] strides, long[] dilations, long[] pads)
    {
        var rank = strides.Length;
        if (c.Node.Int("group", 1) != 1 || strides.Any(s => s != 1) || c.Node.Ints("kernel_shape") is not { } kernel)
            return null;
        var flippedPads = new long[2 * rank];
        for (var a = 0; a < rank; a++)
        {
            var reach = dilations[a] * (kernel[a] - 1);
            (flippedPads[a], flippedPads[rank + a]) = (reach - pads[a], reach - pads[rank + a]);
        }
        if (flippedPads.Any(p => p < 0))
            return null; // pads wider than the kernel's reach: leave it to ConvTranspose + FitSpatial
        var e = c.Emit;
        var spatialAxes = Enumerable.Range(2, rank).Select(a => (long)a).ToArray();
        var swapped = e.Emit("Transpose", [c.Input(1)], Attr("perm", new long[] { 1, 0 }.Concat(spatialAxes)));
        var minusOnes = Enumerable.Repeat(-1L, rank).ToArray();
        var flipped = e.Emit("Slice", [swapped, e.Int64s(minusOnes), e.Int64s(Enumerable.Repeat(long.MinValue, rank).ToArray()),
            e.Int64s(spatialAxes), e.Int64s(minusOnes)]);
        return e.Emit("Conv", [c.Grad, flipped],
            Attr("kernel_shape", kernel), Attr("dilations", dilations), Attr("pads", flippedPads), Attr("strides", strides));
    }

    /// <summary>
    /// True when the convolution reads fewer than <see cref="BlockedLayoutChannels"/> channels (an
    /// image's 1–3): its input gradient has that few channels, and ONNX Runtime would run the
    /// flipped-kernel Conv in its blocked layout with the output padded to a whole block (3 of 16
    /// channels computed usefully), then reorder it. A unit-stride ConvTranspose with the forward
    /// pads on both sides gives X's exact size (no cropping) and is a plain GEMM + col2im: grader,
    /// batch 16, one thread: that node 12.0 → 5.1 ms.
    /// </summary>
    private static bool FewInputChannels(GradientContext c) =>
        c.Emit.Index.Initializer(c.Input(1)) is { Dims.Count: >= 3 } weight && weight.Dims[1] * c.Node.Int("group", 1) < BlockedLayoutChannels;

    /// <summary>The smallest channel block of ONNX Runtime's NCHWc convolutions (AVX2: 8; AVX-512: 16).</summary>
    private const long BlockedLayoutChannels = 8;

    /// <summary>Inference mode: y = (x − μ)·γ/√(σ² + ε) + β, so ∂x = g·γ/√(σ² + ε) per channel (axis 1).</summary>
    public static string?[] BatchNormalization(GradientContext c)
    {
        c.RequireConstant(1, 2, 3, 4);
        if (c.Node.Int("training_mode", 0) != 0)
            throw c.Unsupported("training_mode=1 (only inference-mode batch normalisation is supported)");
        var e = c.Emit;
        var epsilon = c.Node.Float("epsilon", 1e-5f);
        var std = e.Emit("Sqrt", [e.Emit("Add", [c.Input(4), e.Scalar(epsilon)])]);
        var scale = e.Emit("Div", [c.Input(1), std]);
        var perChannel = e.Emit("Reshape", [scale, e.ChannelShape(c.Input(0))]);
        return c.Result(e.Emit("Mul", [c.Grad, perChannel]));
    }

    internal static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    /// <summary>Spatial rank from a per-axis attribute (pads has two entries per axis), else from the weight's rank.</summary>
    internal static int SpatialRank(GradientContext c)
    {
        if (c.Node.Ints("kernel_shape") is { } kernel) return kernel.Length;
        if (c.Node.Ints("strides") is { } strides) return strides.Length;
        if (c.Node.Ints("dilations") is { } dilations) return dilations.Length;
        if (c.Node.Ints("pads") is { } pads) return pads.Length / 2;
        return c.Rank(c.Input(1)) - 2;
    }
}
