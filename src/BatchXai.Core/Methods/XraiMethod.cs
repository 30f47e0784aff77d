using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Options;
using BatchXai.Core.Paths;
using BatchXai.Core.Segmentation;

namespace BatchXai.Core.Methods;

/// <summary>
/// XRAI (Kapishnikov et al. 2019, as PAIR saliency's "full" XRAI): pixel attribution = Integrated
/// Gradients averaged over a black and a white baseline (or the one --ig-baseline when the run sets
/// it), with the run's --ig-steps and --ig-rule, then the channel maximum; regions = Felzenszwalb
/// segmentations of the input (min–max scaled to [−1, 1]) at scales 50, 100, 150, 250, 500, 1200
/// (σ 0.8, min size 150), each segment dilated by a disk; regions ranked greedily by gain per newly
/// covered pixel (<see cref="GreedyRegionRanking"/>). The map is each pixel's region gain, so it reads
/// as a ranking of regions. Unlike PAIR, segmentation runs at the model input size (PAIR resizes to 224²).
/// </summary>
public sealed class XraiMethod(int steps = IntegratedGradientsMethod.DefaultSteps, QuadratureRule rule = QuadratureRule.Trapezoid, BaselineKind? baseline = null,
    int dilation = XraiMethod.DefaultDilation, int minSegment = XraiMethod.DefaultMinSegment) : IExplanationMethod
{
    /// <summary>PAIR saliency's _FELZENSZWALB_SCALE_VALUES.</summary>
    public static readonly IReadOnlyList<double> Scales = [50, 100, 150, 250, 500, 1200];
    public const double Sigma = 0.8;
    public const int DefaultDilation = 5, DefaultMinSegment = 150;

    public static readonly IntOption Dilation = new("xrai-dilation", "radius in pixels each Felzenszwalb segment is dilated by", DefaultDilation, 0, 64);
    public static readonly IntOption MinSegment = new("xrai-min-segment", "Felzenszwalb's minimum segment size in pixels", DefaultMinSegment, 1, 1 << 20);

    public static readonly MethodDescriptor Descriptor = new("xrai",
        "XRAI: Felzenszwalb regions at 6 scales ranked by their Integrated Gradients (black and white baselines); costs 2 × (ig-steps + 1) gradient passes per image (66 by default)",
        [IntegratedGradientsMethod.StepsOption, PathOptions.Rule, PathOptions.Baseline, Dilation, MinSegment],
        o => new XraiMethod(o.Get(IntegratedGradientsMethod.StepsOption), o.Get(PathOptions.Rule),
            o.IsSet(PathOptions.Baseline.Name) ? o.Get(PathOptions.Baseline) : null, o.Get(Dilation), o.Get(MinSegment)));

    public string Name => "xrai";

    public bool NeedsGradients => true;

    public string? WhyUnsupported(HeadKind head) => null;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize;
        var quadrature = Quadrature.For(rule, steps);
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size).ToArray();
            var baselines = baseline is { } kind ? [Baseline.For(kind, x, geometry)] : new[] { geometry.BlackImage(), WhiteImage(geometry) };
            var attribution = new float[size];
            foreach (var start in baselines)
            {
                var result = PathIntegral.Integrate(engine, new StraightPath(start, x), quadrature, request.TargetClasses[b], request.Head.Classes, size);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(result.Attribution, 1f / baselines.Length, attribution, attribution);
            }
            var pixelAttribution = geometry.ToPixelMap(attribution, ChannelCombine.Max, float.NegativeInfinity);
            var regions = RegionMasks.Dilated(Segmentations(x, geometry, minSegment), dilation);
            maps[b] = new ExplanationMap(geometry.Height, geometry.Width, GreedyRegionRanking.Rank(regions, pixelAttribution.Values));
        }
        return maps;
    }

    /// <summary>The Felzenszwalb segmentations XRAI draws its regions from, one per scale.</summary>
    public static IEnumerable<Segments> Segmentations(ReadOnlySpan<float> sample, InputGeometry geometry, int minSegment = DefaultMinSegment)
    {
        var image = SegmentationImage.FromInput(sample, geometry).Rescaled(-1, 1);
        return Scales.Select(scale => Felzenszwalb.Segment(image, scale, Sigma, minSegment)).ToList();
    }

    private static float[] WhiteImage(InputGeometry geometry)
    {
        var image = new float[geometry.SampleSize];
        for (int c = 0; c < geometry.Channels; c++)
            for (int p = 0; p < geometry.PlaneSize; p++)
                image[geometry.IndexOf(c, p / geometry.Width, p % geometry.Width)] = geometry.WhitePixel[c];
        return image;
    }
}
