using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Backward.Ops;

/// <summary>Matrix products: the gradient of one factor is the output gradient times the other, transposed.</summary>
internal static class LinearGradients
{
    /// <summary>
    /// Y = α·op(A)·op(B) + β·C. With op(A) = transA ? Aᵀ : A:
    /// ∂op(A) = α·g·op(B)ᵀ and ∂op(B) = α·op(A)ᵀ·g, transposed back where the op transposed.
    /// </summary>
    public static string?[] Gemm(GradientContext c)
    {
        var e = c.Emit;
        var n = c.Node;
        var alpha = n.Float("alpha", 1f);
        var beta = n.Float("beta", 1f);
        var transA = n.Int("transA", 0);
        var transB = n.Int("transB", 0);
        var (a, b, g) = (c.Input(0), c.Input(1), c.Grad);

        string Gemm(string x, string y, long tx, long ty) =>
            e.Emit("Gemm", [x, y], Attr("alpha", alpha), Attr("transA", tx), Attr("transB", ty));

        string? gradA = !c.Needs(0) ? null : transA == 0 ? Gemm(g, b, 0, 1 - transB) : Gemm(b, g, transB, 1);
        string? gradB = !c.Needs(1) ? null : transB == 0 ? Gemm(a, g, 1 - transA, 0) : Gemm(g, a, 1, transA);
        string? gradC = c.Node.OptionalInput(2) is { } bias && c.Needs(2)
            ? e.Unbroadcast(e.Emit("Mul", [g, e.Scalar(beta)]), bias, c.Output(0))
            : null;
        return c.Result(gradA, gradB, gradC);
    }

    /// <summary>Y = A·B over the last two axes, batch axes broadcast: ∂A = g·Bᵀ, ∂B = Aᵀ·g, each summed back.</summary>
    public static string?[] MatMul(GradientContext c)
    {
        var e = c.Emit;
        var (a, b, g) = (c.Input(0), c.Input(1), c.Grad);
        string? gradA = null, gradB = null;
        if (c.Needs(0))
            gradA = e.Unbroadcast(e.Emit("MatMul", [g, SwapLastTwo(c, b)]), a, null);
        if (c.Needs(1))
            gradB = e.Unbroadcast(e.Emit("MatMul", [SwapLastTwo(c, a), g]), b, null);
        return c.Result(gradA, gradB);
    }

    private static string SwapLastTwo(GradientContext c, string tensor)
    {
        var rank = c.Rank(tensor);
        if (rank < 2)
            throw c.Unsupported($"'{tensor}' has rank {rank}; MatMul gradients are built for operands of rank ≥ 2");
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[rank - 2], perm[rank - 1]) = (perm[rank - 1], perm[rank - 2]);
        return c.Emit.Emit("Transpose", [tensor], Attr("perm", perm));
    }
}
