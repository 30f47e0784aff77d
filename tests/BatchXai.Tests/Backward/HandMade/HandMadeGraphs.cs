using BatchXai.Onnx.Proto;
using static BatchXai.Tests.Backward.HandMade.HandGraph;

namespace BatchXai.Tests.Backward.HandMade;

/// <summary>
/// Graphs written node by node for the finite-difference tests: every op the builder supports,
/// operand broadcasting in both directions, and the convolution and pooling attributes real
/// exporters combine (strides, dilations, groups, asymmetric and ceil-mode padding, 1-D).
/// </summary>
internal static class HandMadeGraphs
{
    /// <summary>Element-wise ops with broadcasting on live and constant operands, reductions, Expand, pass-throughs, one-sided Clips, shape ops. x: [B, 3, 4, 5].</summary>
    public static ModelProto Arithmetic()
    {
        var g = new HandGraph(1, 3, 4, 5);
        var x = Input;
        var m = g.Node("Mul", [x, g.Weight(1, 1, 4, 1)]);
        var s = g.Node("Sum", [x, m, g.Weight(1, 5)]);                                  // three operands, two broadcast
        var n = g.Node("Neg", [g.Node("Sub", [g.Weight(1, 3, 1, 1), s])]);             // constant minus live
        var d = g.Node("Div", [n, g.Node("Add", [g.Node("Mul", [x, x]), g.Filled(1, 1)])]); // live denominator
        var r = g.Node("ReduceMean", [d], Attr("axes", [2L]), Attr("keepdims", 1));      // [B, 3, 1, 5]
        var e = g.Node("Expand", [r, g.Int64s(1, 1, 4, 5)]);
        var passed = g.Node("Dropout", [g.Node("Identity", [e])]);                     // inference: identity
        var t = g.Node("Add", [g.Node("Tanh", [passed]), g.Node("Sigmoid", [x])]);
        var low = g.Node("Clip", [t, g.Filled(-0.3f)]);                                 // min only
        var high = g.Node("Clip", [x, "", g.Filled(0.8f)]);                             // max only
        var flat = g.Node("Reshape", [g.Node("Transpose", [low], Attr("perm", 0, 3, 1, 2)), g.Int64s(0, -1)]);
        var squeezed = g.Node("Squeeze", [g.Node("Unsqueeze", [high, g.Int64s(1)]), g.Int64s(1)]);
        var centred = g.Node("Sub", [x, g.Node("ReduceSum", [x, g.Int64s(3)], Attr("keepdims", 1))]); // live minus live, broadcast
        var leaky = g.Node("LeakyRelu", [centred], Attr("alpha", 0.2f));
        return g.Logits(240, 3, flat, squeezed, centred, leaky);
    }

    /// <summary>Gemm with alpha, beta, transA and a live B; MatMul with both operands live and with batch broadcasting either side. x: [B, 3, 4].</summary>
    public static ModelProto Linear()
    {
        var g = new HandGraph(2, 3, 4);
        var x = Input;
        var f = g.Node("Flatten", [x], Attr("axis", 1));                                               // [B, 12]
        var g1 = g.Node("Gemm", [f, g.Weight(0.5, 12, 4), g.Weight(1, 4)], Attr("alpha", 0.7f), Attr("beta", 1.3f));
        var g2 = g.Node("Gemm", [g.Weight(0.5, 12, 5), g.Node("Transpose", [f], Attr("perm", 1, 0)), g.Weight(1, 5, 1)],
            Attr("transA", 1), Attr("beta", 0.5f));                                                     // [5, B]
        var back = g.Node("Transpose", [g2], Attr("perm", 1, 0));
        var gram = g.Node("MatMul", [x, g.Node("Transpose", [x], Attr("perm", 0, 2, 1))]);           // [B, 3, 3], both live
        var left = g.Node("MatMul", [g.Weight(1, 2, 3), x]);                                           // [B, 2, 4]
        var batched = g.Node("MatMul", [g.Node("Unsqueeze", [x, g.Int64s(1)]), g.Weight(1, 2, 4, 2)]); // [B, 2, 3, 2]
        return g.Logits(38, 3, g1, back, gram, left, batched);
    }

    /// <summary>
    /// Convolutions (depthwise strided with asymmetric pads, grouped dilated with unequal strides,
    /// 1-D strided dilated), inference BatchNormalization, MaxPool with ceil_mode and asymmetric pads and
    /// with dilations, MaxPool with tiling windows (stride = kernel) and a row left over, AveragePool with and without padding counted, GlobalAveragePool, ReLU and a Cast
    /// round trip. x: [B, 4, 9, 8]; the kinks (ReLU, MaxPool) act on x itself, whose test values are
    /// distinct grid points, so a small step never crosses one.
    /// </summary>
    public static ModelProto ConvolutionsAndPools()
    {
        var g = new HandGraph(3, 4, 9, 8);
        var x = Input;
        var depthwise = g.Node("Conv", [x, g.Weight(0.5, 4, 1, 3, 3), g.Weight(0.5, 4)],
            Attr("group", 4), Attr("strides", 2, 2), Attr("pads", 0, 1, 1, 0), Attr("kernel_shape", 3, 3)); // [B, 4, 4, 4]
        var roundTrip = g.Node("Cast", [g.Node("Cast", [depthwise], Attr("to", (long)TensorProto.Types.DataType.Double))],
            Attr("to", (long)TensorProto.Types.DataType.Float));
        var grouped = g.Node("Conv", [x, g.Weight(0.5, 6, 2, 3, 2)],
            Attr("group", 2), Attr("dilations", 2, 1), Attr("strides", 1, 2), Attr("pads", 2, 1, 2, 0));   // [B, 6, 9, 4]
        var normalised = g.Node("BatchNormalization",
            [grouped, g.Uniform(0.5, 1.5, 6), g.Weight(0.5, 6), g.Weight(0.5, 6), g.Uniform(0.5, 2, 6)], Attr("epsilon", 1e-3f));
        var line = g.Node("Conv", [g.Node("Reshape", [x, g.Int64s(0, 4, 72)]), g.Weight(0.5, 3, 4, 5)],
            Attr("strides", [3L]), Attr("dilations", [2L]), Attr("pads", 2, 1));                              // [B, 3, 23]
        var ceilPool = g.Node("MaxPool", [x], Attr("kernel_shape", 3, 3), Attr("strides", 2, 2), Attr("pads", 1, 0, 0, 1), Attr("ceil_mode", 1)); // [B, 4, 5, 4]
        var dilatedPool = g.Node("MaxPool", [x], Attr("kernel_shape", 2, 2), Attr("dilations", 2, 2));   // [B, 4, 7, 6]
        var average = g.Node("AveragePool", [x], Attr("kernel_shape", 3, 3), Attr("strides", 2, 2), Attr("pads", 1, 0, 1, 2),
            Attr("count_include_pad", 0));                                                                 // [B, 4, 5, 4]
        var averageCounted = g.Node("AveragePool", [x], Attr("kernel_shape", 2, 3), Attr("strides", 3, 2), Attr("pads", 0, 1, 1, 1),
            Attr("count_include_pad", 1));                                                                 // [B, 4, 3, 4]
        var global = g.Node("GlobalAveragePool", [g.Node("Relu", [x])]);                                   // [B, 4, 1, 1]
        var tiledPool = g.Node("MaxPool", [x], Attr("kernel_shape", 2, 2), Attr("strides", 2, 2));       // [B, 4, 4, 4], row 9 in no window
        return g.Logits(64 + 216 + 69 + 80 + 168 + 80 + 48 + 4 + 64, 3,
            roundTrip, normalised, line, ceilPool, dilatedPool, average, averageCounted, global, tiledPool);
    }

    /// <summary>Concat of three on a middle axis, Split with sizes, negative-step and negative-index Slice, constant Pad with a value. x: [B, 2, 6, 5].</summary>
    public static ModelProto Reshaping()
    {
        var g = new HandGraph(4, 2, 6, 5);
        var x = Input;
        var joined = g.Node("Concat", [x, g.Node("Mul", [x, x]), g.Node("Neg", [x])], Attr("axis", 1));     // [B, 6, 6, 5]
        var parts = g.Nodes("Split", [joined, g.Int64s(1, 3, 2)], 3, Attr("axis", 1));
        var reversed = g.Node("Slice", [parts[1], g.Int64s(-1, 4), g.Int64s(long.MinValue, 0), g.Int64s(2, 3), g.Int64s(-2, -1)]); // [B, 3, 3, 4]
        var padded = g.Node("Pad", [parts[2], g.Int64s(0, 0, 1, 2, 0, 0, 2, 0), g.Filled(0.5f)]);                  // [B, 2, 9, 7]
        return g.Logits(36 + 126 + 30, 3, reversed, padded, parts[0]);
    }
}
