namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Broadcasting arithmetic: sum and product rules, each gradient summed back to its operand's shape.</summary>
internal static class ElementwiseGradients
{
    public static string?[] Add(GradientContext c) =>
        c.Result(Back(c, 0, c.Grad), Back(c, 1, c.Grad));

    public static string?[] Sub(GradientContext c) =>
        c.Result(Back(c, 0, c.Grad), c.Needs(1) ? Back(c, 1, c.Emit.Emit("Neg", [c.Grad])) : null);

    public static string?[] Mul(GradientContext c)
    {
        var e = c.Emit;
        return c.Result(
            c.Needs(0) ? Back(c, 0, e.Emit("Mul", [c.Grad, c.Input(1)])) : null,
            c.Needs(1) ? Back(c, 1, e.Emit("Mul", [c.Grad, c.Input(0)])) : null);
    }

    /// <summary>y = a / b: ∂a = g / b, ∂b = −g·y / b.</summary>
    public static string?[] Div(GradientContext c)
    {
        var e = c.Emit;
        return c.Result(
            c.Needs(0) ? Back(c, 0, e.Emit("Div", [c.Grad, c.Input(1)])) : null,
            c.Needs(1) ? Back(c, 1, e.Emit("Neg", [e.Emit("Div", [e.Emit("Mul", [c.Grad, c.Output(0)]), c.Input(1)])])) : null);
    }

    public static string?[] Sum(GradientContext c) =>
        Enumerable.Range(0, c.Node.Input.Count).Select(i => Back(c, i, c.Grad)).ToArray();

    public static string?[] Neg(GradientContext c) => c.Result(c.Emit.Emit("Neg", [c.Grad]));

    public static string?[] Expand(GradientContext c)
    {
        c.RequireConstant(1);
        return c.Result(Back(c, 0, c.Grad));
    }

    /// <summary>The gradient of input <paramref name="input"/> from its broadcast-shaped contribution, when needed.</summary>
    private static string? Back(GradientContext c, int input, string broadcastGrad) =>
        c.Needs(input) ? c.Emit.Unbroadcast(broadcastGrad, c.Input(input), c.Output(0)) : null;
}
