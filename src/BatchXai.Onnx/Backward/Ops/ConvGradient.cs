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
    /// </summary>
    public static string?[] Conv(GradientContext c)
    {
        c.RequireConstant(1, 2);
        var n = c.Node;
        if (n.String("auto_pad", "NOTSET") != "NOTSET")
            throw c.Unsupported($"auto_pad={n.String("auto_pad", "")} (only explicit pads are supported)");
        var spatialRank = SpatialRank(c);
        var pads = n.Ints("pads") ?? new long[2 * spatialRank];
        var attributes = new List<AttributeProto>
        {
            Attr("strides", n.Ints("strides") ?? Ones(spatialRank)),
            Attr("dilations", n.Ints("dilations") ?? Ones(spatialRank)),
            Attr("group", n.Int("group", 1)),
            Attr("pads", pads.Take(spatialRank).Concat(new long[spatialRank])),
        };
        if (n.Ints("kernel_shape") is { } kernel) attributes.Add(Attr("kernel_shape", kernel));
        var transposed = c.Emit.Emit("ConvTranspose", [c.Grad, c.Input(1)], attributes.ToArray());
        return c.Result(c.Emit.FitSpatial(transposed, c.Input(0), spatialRank));
    }

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
