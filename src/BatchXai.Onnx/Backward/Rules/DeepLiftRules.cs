using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Backward.Rules;

/// <summary>
/// DeepLIFT's rescale rule (Shrikumar et al. 2017, as captum implements it) on a batch whose
/// second half holds the references of the first: at an element-wise nonlinearity y = f(x) the
/// signal is multiplied by Δy/Δx (Δ = input − reference, the same for both halves), and by the
/// gradient where |Δx| &lt; 1e-10; at max pooling the output difference is routed to the winners of
/// both halves and divided by Δx. Linear ops keep their exact transposes, which are their multipliers.
/// </summary>
internal static class DeepLiftRules
{
    /// <summary>Below this |Δx| the multiplier is the gradient (captum's eps).</summary>
    public const double Threshold = 1e-10;

    public static string?[] Rescale(RelevanceRuleSet rules, GradientContext c, OpGradient exact)
    {
        var e = c.Emit;
        var gradient = exact(c)[0]!;
        var dx = PairDifference(e, c.Input(0));
        var dy = PairDifference(e, c.Output(0));
        var small = e.Emit("Less", [e.Emit("Abs", [dx]), e.Scalar(Threshold)]);
        var ratio = e.Emit("Div", [dy, e.Emit("Where", [small, e.Scalar(1), dx])]);
        return c.Result(e.Emit("Where", [small, gradient, e.Emit("Mul", [c.Grad, ratio])]));
    }

    public static string?[] MaxPool(RelevanceRuleSet rules, GradientContext c, OpGradient exact)
    {
        var e = c.Emit;
        var gradient = exact(c)[0]!;
        var (y, indices, x) = (c.Output(0), Ops.PoolGradients.IndicesOf(c), c.Input(0));
        var (top, bottom) = Halves(e, y);
        var largest = e.Emit("Max", [top, bottom]);
        var outputDelta = e.Emit("Concat", [e.Emit("Sub", [largest, bottom]), e.Emit("Sub", [top, largest])], Attr("axis", 0L));
        var routed = e.ScatterAdd(x, indices, e.Emit("Mul", [c.Grad, outputDelta]));
        var (routedTop, routedBottom) = Halves(e, routed);
        var sum = e.Emit("Add", [routedTop, routedBottom]);
        var numerator = e.Emit("Concat", [sum, sum], Attr("axis", 0L));
        var dx = PairDifference(e, x);
        var small = e.Emit("Less", [e.Emit("Abs", [dx]), e.Scalar(Threshold)]);
        return c.Result(e.Emit("Where", [small, gradient, e.Emit("Div", [numerator, e.Emit("Where", [small, e.Scalar(1), dx])])]));
    }

    /// <summary>(input − reference) for every pair, repeated for both halves of the batch.</summary>
    private static string PairDifference(GradientEmitter e, string tensor)
    {
        var (top, bottom) = Halves(e, tensor);
        var difference = e.Emit("Sub", [top, bottom]);
        return e.Emit("Concat", [difference, difference], Attr("axis", 0L));
    }

    private static (string Top, string Bottom) Halves(GradientEmitter e, string tensor)
    {
        var half = e.Emit("Div", [e.Emit("Slice", [e.Emit("Shape", [tensor]), e.Int64s(0), e.Int64s(1)]), e.Int64s(2)]);
        var axis = e.Int64s(0);
        return (e.Emit("Slice", [tensor, e.Int64s(0), half, axis]), e.Emit("Slice", [tensor, half, e.Int64s(long.MaxValue), axis]));
    }
}
