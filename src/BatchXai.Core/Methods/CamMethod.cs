using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// Class activation mapping (Zhou et al. 2016): CAM_c(l,m) = Σ_k w_k^c A_k(l,m) for the target
/// class c. Defined for GAP → linear heads only; other heads want Grad-CAM.
/// </summary>
public sealed class CamMethod : IExplanationMethod
{
    public string Name => "cam";

    public string? WhyUnsupported(HeadKind head) =>
        head == HeadKind.GapLinear ? null : "cam needs a gap-linear head (the manifest says generic); use crm, which handles any head";

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var features = request.Features;
        var head = request.Head.Linear ?? throw new InvalidOperationException(WhyUnsupported(HeadKind.Generic));
        var maps = new ExplanationMap[features.Batch];
        int spatial = features.SpatialSize;
        for (int b = 0; b < features.Batch; b++)
        {
            var map = new ExplanationMap(features.Height, features.Width);
            int c = request.TargetClasses[b];
            if (request.ClassScoreMaps is { } precomputed) precomputed.Sample(b).Slice(c * spatial, spatial).CopyTo(map.Values);
            else head.ClassActivation(features.Sample(b), spatial, c, map.Values);
            maps[b] = map;
        }
        return maps;
    }
}
