namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Element-wise activations: a mask or local derivative times the output gradient.</summary>
internal static class ActivationGradients
{
    /// <summary>
    /// Exact: pass where x &gt; 0 (torch's choice at x = 0 is 0 too). Deconvnet: ReLU of the
    /// backward signal, no forward mask. Guided backprop: both. The mask reads y = ReLU(x)
    /// (y &gt; 0 exactly where x &gt; 0), so x has no other consumer and ONNX Runtime can fuse
    /// the ReLU into the convolution before it. Where a MaxPool alone reads y, its rule has already
    /// masked the gradient at the pooled resolution (<see cref="PoolGradients.MaxPool"/>).
    /// ONNX Runtime reorders y out of its blocked layout for Greater (ResNet-50: most of the
    /// graph's ReorderOutput time). Masks it keeps blocked were measured and not kept: Clip(0, 1)
    /// of a depthwise 1×1 Conv by 2^127, or 1 − Relu(1 − 2^127·y) as two BatchNormalizations,
    /// with the gradients declared [batch, …] so the Mul stays blocked too — ReorderOutput
    /// 660 → 185 ms/run (batch 16, one thread) but the depthwise convolutions cost as much;
    /// gradient/inference 2.69 → 2.76 and 2.56 → 2.55 (CPU time, medians; no gain beyond noise).
    /// </summary>
    public static string?[] Relu(GradientContext c)
    {
        var e = c.Emit;
        var g = c.Grad;
        if (c.Rule == GradientRule.Exact && e.IsReluMasked(c.Output(0)))
            return c.Result(g);
        string Positive() => e.Emit("Greater", [c.Output(0), e.Scalar(0)]);
        return c.Result(c.Rule switch
        {
            GradientRule.Exact => e.Mask(Positive(), g),
            GradientRule.Deconvnet => e.Emit("Relu", [g]),
            GradientRule.GuidedBackprop => e.Mask(Positive(), e.Emit("Relu", [g])),
            _ => throw c.Unsupported($"unknown rule {c.Rule}"),
        });
    }

    public static string?[] LeakyRelu(GradientContext c)
    {
        var e = c.Emit;
        var alpha = c.Node.Float("alpha", 0.01f);
        var scaled = e.Emit("Mul", [c.Grad, e.Scalar(alpha)]);
        return c.Result(e.Emit("Where", [e.Emit("Greater", [c.Input(0), e.Scalar(0)]), c.Grad, scaled]));
    }

    /// <summary>Passes strictly inside (min, max), as torch's hardtanh/ReLU6 backward does.</summary>
    public static string?[] Clip(GradientContext c)
    {
        c.RequireConstant(1, 2);
        var e = c.Emit;
        string? inside = null;
        if (c.Node.OptionalInput(1) is { } min)
            inside = e.Emit("Greater", [c.Input(0), min]);
        if (c.Node.OptionalInput(2) is { } max)
        {
            var below = e.Emit("Less", [c.Input(0), max]);
            inside = inside is null ? below : e.Emit("And", [inside, below]);
        }
        return c.Result(inside is null ? c.Grad : e.Mask(inside, c.Grad));
    }

    /// <summary>σ' = y (1 − y), from the forward output.</summary>
    public static string?[] Sigmoid(GradientContext c)
    {
        var e = c.Emit;
        var y = c.Output(0);
        var slope = e.Emit("Mul", [y, e.Emit("Sub", [e.Scalar(1), y])]);
        return c.Result(e.Emit("Mul", [c.Grad, slope]));
    }

    /// <summary>tanh' = 1 − y², from the forward output.</summary>
    public static string?[] Tanh(GradientContext c)
    {
        var e = c.Emit;
        var y = c.Output(0);
        var slope = e.Emit("Sub", [e.Scalar(1), e.Emit("Mul", [y, y])]);
        return c.Result(e.Emit("Mul", [c.Grad, slope]));
    }

    /// <summary>y = clamp(αx + β, 0, 1): slope α strictly inside the linear part.</summary>
    public static string?[] HardSigmoid(GradientContext c)
    {
        var e = c.Emit;
        var alpha = c.Node.Float("alpha", 0.2f);
        var beta = c.Node.Float("beta", 0.5f);
        var t = e.Emit("Add", [e.Emit("Mul", [c.Input(0), e.Scalar(alpha)]), e.Scalar(beta)]);
        var inside = e.Emit("And", [e.Emit("Greater", [t, e.Scalar(0)]), e.Emit("Less", [t, e.Scalar(1)])]);
        return c.Result(e.Mask(inside, e.Emit("Mul", [c.Grad, e.Scalar(alpha)])));
    }

    /// <summary>y = x·clamp(x/6 + ½, 0, 1): slope 0 below −3, 1 above 3, x/3 + ½ between (torch's convention).</summary>
    public static string?[] HardSwish(GradientContext c)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var middle = e.Emit("Add", [e.Emit("Mul", [x, e.Scalar(1.0 / 3)]), e.Scalar(0.5)]);
        var upper = e.Emit("Where", [e.Emit("Greater", [x, e.Scalar(3)]), e.Scalar(1), middle]);
        var slope = e.Emit("Where", [e.Emit("Less", [x, e.Scalar(-3)]), e.Scalar(0), upper]);
        return c.Result(e.Emit("Mul", [c.Grad, slope]));
    }
}
