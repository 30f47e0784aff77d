using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// DeepLIFT with the rescale rule (Shrikumar et al. 2017) from a black reference: each input runs
/// beside its reference in one batch, and the backward pass carries multipliers instead of
/// gradients — Δy/Δx at every element-wise nonlinearity (the gradient where |Δx| is below 1e-10),
/// the exact transpose at linear layers, captum's rule at max pooling. The contribution of input
/// element i is (x_i − x'_i)·m_i; the map is their channel sum (signed). Summation-to-delta,
/// Σ_i C_i = S_c(x) − S_c(x'), holds for nets of linear layers, element-wise activations and max
/// pooling; each map records Σ_i C_i − (S_c(x) − S_c(x')) as its completeness delta.
/// </summary>
public sealed class DeepLiftMethod : IExplanationMethod
{
    public static readonly MethodDescriptor Descriptor = new("deeplift",
        "DeepLIFT rescale rule from a black reference; one multiplier backward pass over input and reference (twice a gradient pass)", () => new DeepLiftMethod())
        { Signed = true };

    public string Name => "deeplift";

    public bool NeedsGradients => true;

    public IReadOnlyList<GradientRule> GradientRules => [GradientRule.DeepLiftRescale];

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        var relevanceEngine = engine as IRelevanceEngine ?? throw new InvalidOperationException($"{Name} needs a gradient engine that runs relevance rules (ONNX models)");
        int size = geometry.SampleSize, classes = request.Head.Classes, batch = request.Batch;
        var references = new float[batch * size];
        for (int b = 0; b < batch; b++) Baseline.For(BaselineKind.Black, inputs.AsSpan(b * size, size), geometry).CopyTo(references, b * size);
        var result = relevanceEngine.Relevance(inputs.AsMemory(0, batch * size), batch, request.TargetSeeds(0, batch),
            new RelevanceSettings(GradientRule.DeepLiftRescale, References: references));
        var maps = new ExplanationMap[batch];
        var contribution = new float[size];
        for (int b = 0; b < batch; b++)
        {
            System.Numerics.Tensors.TensorPrimitives.Subtract(inputs.AsSpan(b * size, size), references.AsSpan(b * size, size), contribution);
            System.Numerics.Tensors.TensorPrimitives.Multiply(contribution, result.Relevance.AsSpan(b * size, size), contribution);
            maps[b] = geometry.ToPixelMap(contribution, ChannelCombine.Sum, 0f);
            int t = b * classes + request.TargetClasses[b];
            maps[b].CompletenessDelta = System.Numerics.Tensors.TensorPrimitives.Sum<float>(contribution) - ((double)result.Logits[t] - result.ReferenceLogits![t]);
        }
        return maps;
    }
}
