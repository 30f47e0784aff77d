using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Metrics;

/// <summary>
/// Per-image faithfulness metrics of one map (README, "Metrics"). The curves record p_c, the softmax
/// probability of the explained class (as Petsiuk et al.) — on a multi-label head the finding's own sigmoid
/// (<see cref="ClassProbability"/>) — after each perturbation; every
/// perturbed copy of an image — deletion, insertion and ROAD together — goes through the score
/// engine in one call (the engine chunks it), never one copy at a time.
/// <list type="bullet">
/// <item>deletion: the first round(k/K · P) pixels of the relevance order (all channels) set to the
/// black baseline, k = 0..K; AUC by the trapezoid rule over the fraction (lower is better);</item>
/// <item>insertion: the same pixels revealed on the input blurred with σ = 5 px (higher is better);</item>
/// <item>ROAD: 10%..90% of the pixels removed most relevant first (MoRF, lower is better) or least
/// relevant first (LeRF, higher is better) and imputed by <see cref="NoisyLinearImputer"/>, noise
/// seeded by the image; the value is the mean p_c over the nine fractions, as the reference's averager;</item>
/// <item>with a mask: pointing game, energy inside the mask, ROI IoU (<see cref="MaskAgreement"/>).</item>
/// </list>
/// </summary>
/// <param name="multiLabel">The head has one sigmoid per finding: p_c is σ(S_c), not a softmax.</param>
public sealed class FaithfulnessEvaluator(FaithfulnessOptions options, InputGeometry geometry, bool multiLabel = false)
{
    /// <param name="input">the model input of the image.</param>
    /// <param name="map">the map at model-input size (H×W).</param>
    /// <param name="mask">H×W ground truth, or null when the image has none (mask metrics are then left out).</param>
    /// <param name="signed">The method's maps are signed: the ROI's scale is then the percentile of |map| (<see cref="RoiStats"/>).</param>
    public List<ImageMetric> Evaluate(ReadOnlySpan<float> input, ExplanationMap map, int targetClass, int classes, IScoreEngine engine, bool[]? mask,
        bool signed = false)
    {
        if (map.Height != geometry.Height || map.Width != geometry.Width)
            throw new ArgumentException($"metrics need the map at input size {geometry.Height}x{geometry.Width}, got {map.Height}x{map.Width}", nameof(map));
        var metrics = new List<ImageMetric>();
        if (options.NeedsScores) metrics.AddRange(Curves(input, map, targetClass, classes, engine));
        if (options.Has(FaithfulnessMetric.Pointing) && mask is not null && mask.Any(m => m))
        {
            metrics.Add(new ImageMetric(ImageMetric.PointingHit, MaskAgreement.PointingHit(map, mask, options.PointingTolerance)));
            metrics.Add(new ImageMetric(ImageMetric.MaskEnergy, MaskAgreement.EnergyInside(map, mask)));
            metrics.Add(new ImageMetric(ImageMetric.RoiIou, MaskAgreement.RoiIou(map, mask, signed)));
        }
        return metrics;
    }

    private List<ImageMetric> Curves(ReadOnlySpan<float> input, ExplanationMap map, int targetClass, int classes, IScoreEngine engine)
    {
        int size = geometry.SampleSize, pixels = geometry.PlaneSize, steps = options.Steps;
        var order = RelevanceOrder.MostRelevantFirst(map.Values);
        bool deletion = options.Has(FaithfulnessMetric.Deletion), insertion = options.Has(FaithfulnessMetric.Insertion), road = options.Has(FaithfulnessMetric.Road);
        int copies = (deletion ? steps + 1 : 0) + (insertion ? steps + 1 : 0) + (road ? 2 * FaithfulnessOptions.RoadFractions.Length : 0);
        var batch = new float[copies * size];
        int next = 0;
        Span<float> Next() => batch.AsSpan(next++ * size, size);

        if (deletion)
        {
            var black = geometry.BlackImage();
            for (int k = 0; k <= steps; k++) PixelPerturbation.Replace(input, black, order, RelevanceOrder.CountOf((double)k / steps, pixels), geometry, Next());
        }
        if (insertion)
        {
            var blurred = new float[size];
            new GaussianBlur(geometry).Apply(input, FaithfulnessOptions.InsertionBlurSigma, blurred);
            for (int k = 0; k <= steps; k++) PixelPerturbation.Replace(blurred, input, order, RelevanceOrder.CountOf((double)k / steps, pixels), geometry, Next());
        }
        if (road)
        {
            var leastFirst = order.Reverse().ToArray();
            var random = SeededNoise.For(input, stream: 0x524F4144); // "ROAD"
            foreach (var ranking in new[] { order, leastFirst })
                foreach (double fraction in FaithfulnessOptions.RoadFractions)
                {
                    var removed = new bool[pixels];
                    int count = RelevanceOrder.CountOf(fraction, pixels);
                    for (int k = 0; k < count; k++) removed[ranking[k]] = true;
                    NoisyLinearImputer.Impute(input, removed, geometry, Next(), NoisyLinearImputer.DefaultNoise, random);
                }
        }

        var logits = new float[copies * classes];
        engine.Score(batch, copies, logits);
        var probability = new double[copies];
        for (int i = 0; i < copies; i++) probability[i] = ClassProbability.Of(logits.AsSpan(i * classes, classes), targetClass, multiLabel);

        var metrics = new List<ImageMetric>();
        int at = 0;
        double[] Take(int n) { var curve = probability[at..(at + n)]; at += n; return curve; }
        if (deletion) { var curve = Take(steps + 1); metrics.Add(new ImageMetric(ImageMetric.DeletionAuc, Trapezoid.AreaOverUnitInterval(curve), curve)); }
        if (insertion) { var curve = Take(steps + 1); metrics.Add(new ImageMetric(ImageMetric.InsertionAuc, Trapezoid.AreaOverUnitInterval(curve), curve)); }
        if (road)
        {
            var morf = Take(FaithfulnessOptions.RoadFractions.Length);
            var lerf = Take(FaithfulnessOptions.RoadFractions.Length);
            metrics.Add(new ImageMetric(ImageMetric.RoadMorf, morf.Average(), morf));
            metrics.Add(new ImageMetric(ImageMetric.RoadLerf, lerf.Average(), lerf));
        }
        return metrics;
    }
}
