using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Options;

namespace BatchXai.Core.Methods;

/// <summary>Which LRP rule the linear layers use.</summary>
public enum LrpRule
{
    /// <summary>LRP-ε at every Conv/Gemm/MatMul.</summary>
    Epsilon,
    /// <summary>LRP-αβ at every Conv/Gemm/MatMul, β = α − 1.</summary>
    AlphaBeta,
    /// <summary>zβ (box) at the first layer, z⁺ (α = 1, β = 0) at the other convolutions, ε at dense layers.</summary>
    Composite,
}

/// <summary>
/// Layer-wise Relevance Propagation (Bach et al. 2015; Montavon et al. 2019's rules and composite),
/// as one rule-modified backward pass per batch: the relevance S_c·(one-hot c) enters at the logits
/// and is redistributed at each Conv/Gemm/MatMul by the chosen rule (inference batch
/// normalisation folded into the convolution before it), through ReLUs, pooling and residual
/// additions as gradient × input does. The map is the input relevance summed over channels
/// (signed); each map records the conservation gap Σ_i R_i − S_c(x) as its completeness delta
/// (README, "Methods": lrp, for what is conserved).
/// </summary>
public sealed class LrpMethod(LrpRule rule = LrpRule.Epsilon, double epsilon = RelevanceSettings.DefaultEpsilon, double alpha = LrpMethod.DefaultAlpha) : IExplanationMethod
{
    public const double DefaultAlpha = 2;

    public static readonly ChoiceOption<LrpRule> RuleOption = new("lrp-rule", "LRP rule at the linear layers: epsilon, alpha-beta, or composite (zβ first layer, z+ conv, epsilon dense)", LrpRule.Epsilon);
    public static readonly NumberOption EpsilonOption = new("lrp-epsilon", "LRP stabiliser: ε of the epsilon rule, added to the z+/z-/zβ denominators of the others", RelevanceSettings.DefaultEpsilon, 0, 100);
    public static readonly NumberOption AlphaOption = new("lrp-alpha", "α of the alpha-beta rule (β = α − 1)", DefaultAlpha, 1, 10);

    public static readonly MethodDescriptor Descriptor = new("lrp",
        "Layer-wise Relevance Propagation (epsilon, alpha-beta or composite rule); one rule-modified backward pass (alpha-beta and z+ layers cost about 4 and 2 convolutions more)",
        [RuleOption, EpsilonOption, AlphaOption], o => new LrpMethod(o.Get(RuleOption), o.Get(EpsilonOption), o.Get(AlphaOption)))
        { Signed = true };

    public string Name => "lrp";

    public bool NeedsGradients => true;

    public IReadOnlyList<GradientRule> GradientRules => [EngineRule];

    public GradientRule EngineRule => rule switch
    {
        LrpRule.Epsilon => GradientRule.LrpEpsilon,
        LrpRule.AlphaBeta => GradientRule.LrpAlphaBeta,
        _ => GradientRule.LrpComposite,
    };

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        var relevanceEngine = engine as IRelevanceEngine ?? throw new InvalidOperationException($"{Name} needs a gradient engine that runs relevance rules (ONNX models)");
        var (low, high) = rule == LrpRule.Composite ? Bounds(geometry) : (null, null);
        int size = geometry.SampleSize, classes = request.Head.Classes;
        var result = relevanceEngine.Relevance(inputs.AsMemory(0, request.Batch * size), request.Batch, request.TargetSeeds(0, request.Batch),
            new RelevanceSettings(EngineRule, epsilon, alpha, low, high));
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var relevance = result.Relevance.AsSpan(b * size, size);
            maps[b] = geometry.ToPixelMap(relevance, ChannelCombine.Sum, 0f);
            maps[b].CompletenessDelta = System.Numerics.Tensors.TensorPrimitives.Sum<float>(relevance) - (double)result.Logits[b * classes + request.TargetClasses[b]];
        }
        return maps;
    }

    /// <summary>The box rule's bounds: per element, the lower and higher of the black and white pixel values of its channel.</summary>
    public static (float[] Low, float[] High) Bounds(InputGeometry geometry)
    {
        var low = new float[geometry.SampleSize];
        var high = new float[geometry.SampleSize];
        for (int c = 0; c < geometry.Channels; c++)
            for (int y = 0; y < geometry.Height; y++)
                for (int x = 0; x < geometry.Width; x++)
                {
                    int i = geometry.IndexOf(c, y, x);
                    low[i] = Math.Min(geometry.BlackPixel[c], geometry.WhitePixel[c]);
                    high[i] = Math.Max(geometry.BlackPixel[c], geometry.WhitePixel[c]);
                }
        return (low, high);
    }
}
