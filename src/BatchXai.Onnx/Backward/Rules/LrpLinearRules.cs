using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Backward.Rules;

/// <summary>
/// LRP at a linear layer z = L(x, W) + b (Conv, Gemm, MatMul), in the gradient × input form: the
/// signal g at z carries the relevance R = z ⊙ g, and the rule emits the signal g_x at x such that
/// the relevance it hands down is x ⊙ g_x. With an inference BatchNormalization after a Conv, W and
/// z are the folded ones (W·γ/σ per output channel, the normalised output).
/// <list type="bullet">
/// <item>ε: g_x = Lᵀ(R / (z + ε·sign z), W); the bias and ε absorb their share.</item>
/// <item>αβ: with x⁺/x⁻ and W⁺/W⁻ the positive/negative parts, z⁺ = L(x⁺,W⁺) + L(x⁻,W⁻) and
/// z⁻ = L(x⁺,W⁻) + L(x⁻,W⁺) (the positive and negative contributions x_j·w_jk, bias excluded):
/// R_j = α·(contributions⁺ / (z⁺ + ε)) − β·(contributions⁻ / (z⁻ − ε)), so Σ_j R_j = R wherever
/// z⁺ and z⁻ are non-zero. The composite's z⁺ rule is α = 1, β = 0.</item>
/// <item>zβ (box, the composite's first layer, x the graph input within [l, h]):
/// R_j = x_j·Lᵀ(s, W)_j − l_j·Lᵀ(s, W⁺)_j − h_j·Lᵀ(s, W⁻)_j with s = R / (L(x,W) − L(l,W⁺) − L(h,W⁻) + ε).</item>
/// </list>
/// </summary>
internal static class LrpLinearRules
{
    public static string?[] Apply(RelevanceRuleSet rules, GradientContext c, OpGradient exact)
    {
        c.RequireConstant(1, 2);
        if (!c.Needs(0))
            throw c.Unsupported("LRP rules need the layer's data in its first input and constant weights in its second");
        if (c.Node.OpType == "Gemm" && c.Node.Float("alpha", 1f) <= 0)
            throw c.Unsupported("LRP rules need Gemm's alpha > 0");
        var e = c.Emit;
        var layer = Fold(rules, c);
        var x = c.Input(0);
        var relevance = e.Emit("Mul", [c.Grad, layer.Output]);
        bool firstLayer = x == rules.Input;
        return rules.Rule switch
        {
            GradientRule.LrpComposite when firstLayer => c.Result(Box(rules, c, layer, relevance)),
            GradientRule.LrpComposite when c.Node.OpType == "Conv" => c.Result(AlphaBeta(rules, c, layer, relevance, withBeta: false)),
            GradientRule.LrpAlphaBeta => c.Result(AlphaBeta(rules, c, layer, relevance, withBeta: true)),
            _ => c.Result(Epsilon(rules, c, layer, relevance)),
        };
    }

    /// <summary>The weight and output the rule works with: the node's own, or with a following BatchNormalization folded in.</summary>
    private readonly record struct Layer(string Weight, string Output, string PositiveWeight, string NegativeWeight);

    private static Layer Fold(RelevanceRuleSet rules, GradientContext c)
    {
        var e = c.Emit;
        var weight = c.Input(1);
        var output = c.Output(0);
        if (rules.FoldedNorm(c.Node) is { } norm)
        {
            var std = e.Emit("Sqrt", [e.Emit("Add", [norm.Input[4], e.Scalar(norm.Float("epsilon", 1e-5f))])]);
            var scale = e.Emit("Div", [norm.Input[1], std]);
            var axes = Enumerable.Range(1, c.Rank(weight) - 1).Select(a => (long)a).ToArray();
            weight = e.Emit("Mul", [weight, e.Emit("Unsqueeze", [scale, e.Int64s(axes)])]);
            output = norm.Output[0];
        }
        var positive = e.Emit("Relu", [weight]);
        return new Layer(weight, output, positive, e.Emit("Sub", [weight, positive]));
    }

    private static string Epsilon(RelevanceRuleSet rules, GradientContext c, Layer layer, string relevance)
    {
        var e = c.Emit;
        var z = layer.Output;
        var sign = e.Emit("Sub", [e.Emit("Mul", [e.Cast(e.Emit("GreaterOrEqual", [z, e.Scalar(0)])), e.Scalar(2)]), e.Scalar(1)]);
        var stabilised = e.Emit("Add", [z, e.Emit("Mul", [rules.Epsilon, sign])]);
        return Transposed(c, e.Emit("Div", [relevance, stabilised]), layer.Weight);
    }

    private static string AlphaBeta(RelevanceRuleSet rules, GradientContext c, Layer layer, string relevance, bool withBeta)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var xPositive = e.Emit("Relu", [x]);
        var xNegative = e.Emit("Sub", [x, xPositive]);
        var (wp, wn) = (layer.PositiveWeight, layer.NegativeWeight);
        var zPositive = e.Emit("Add", [Forward(c, xPositive, wp), Forward(c, xNegative, wn)]);
        var alphaRelevance = withBeta ? e.Emit("Mul", [relevance, rules.Alpha]) : relevance;
        var sp = e.Emit("Div", [alphaRelevance, e.Emit("Add", [zPositive, rules.Epsilon])]);
        // Where x_j > 0 its positive contributions come through W⁺, where x_j < 0 through W⁻.
        var onPositive = Transposed(c, sp, wp);
        var onNegative = Transposed(c, sp, wn);
        if (withBeta)
        {
            var zNegative = e.Emit("Add", [Forward(c, xPositive, wn), Forward(c, xNegative, wp)]);
            var sn = e.Emit("Div", [e.Emit("Mul", [relevance, rules.Beta]), e.Emit("Sub", [zNegative, rules.Epsilon])]);
            onPositive = e.Emit("Sub", [onPositive, Transposed(c, sn, wn)]);
            onNegative = e.Emit("Sub", [onNegative, Transposed(c, sn, wp)]);
        }
        return e.Emit("Add", [e.Mask(e.Emit("Greater", [x, e.Scalar(0)]), onPositive), e.Mask(e.Emit("Less", [x, e.Scalar(0)]), onNegative)]);
    }

    private static string Box(RelevanceRuleSet rules, GradientContext c, Layer layer, string relevance)
    {
        var e = c.Emit;
        var (low, high) = (RelevanceRuleSet.LowInput, RelevanceRuleSet.HighInput);
        var z = e.Emit("Sub", [e.Emit("Sub", [Forward(c, c.Input(0), layer.Weight), Forward(c, low, layer.PositiveWeight)]), Forward(c, high, layer.NegativeWeight)]);
        var s = e.Emit("Div", [relevance, e.Emit("Add", [z, rules.Epsilon])]);
        var lowTerm = e.Emit("Mul", [low, Transposed(c, s, layer.PositiveWeight)]);
        var highTerm = e.Emit("Mul", [high, Transposed(c, s, layer.NegativeWeight)]);
        rules.AddInputRelevance(e.Emit("Neg", [e.Emit("Add", [lowTerm, highTerm])]));
        return Transposed(c, s, layer.Weight);
    }

    /// <summary>The node's linear map (no bias) applied to <paramref name="x"/> with weight <paramref name="weight"/>.</summary>
    private static string Forward(GradientContext c, string x, string weight) =>
        c.Emit.Emit(c.Node.OpType, [x, weight], c.Node.Attribute.Select(a => a.Clone()).ToArray());

    /// <summary>The transpose of the node's linear map with weight <paramref name="weight"/>, applied to <paramref name="signal"/> (the op's exact rule).</summary>
    private static string Transposed(GradientContext c, string signal, string weight)
    {
        if (c.Node.OpType == "MatMul" && weight != c.Input(1))
        {
            // MatMul's rule needs the weight's rank, which a derived weight (W⁺, W⁻) has not declared: it is the original's.
            var rank = c.Rank(c.Input(1));
            var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
            (perm[rank - 2], perm[rank - 1]) = (perm[rank - 1], perm[rank - 2]);
            var swapped = c.Emit.Emit("Transpose", [weight], NodeAttributes.Attr("perm", perm));
            return c.Emit.Unbroadcast(c.Emit.Emit("MatMul", [signal, swapped]), c.Input(0), null);
        }
        var node = c.Node.Clone();
        node.Input[1] = weight;
        return OpGradients.Table[c.Node.OpType](c with { Node = node, OutputGrads = [signal], Rule = GradientRule.Exact })[0]
               ?? throw c.Unsupported("no gradient for the data input");
    }
}
