using BatchXai.Core.Metrics;
using System.Numerics.Tensors;

namespace BatchXai.Core.Audit.Causal;

/// <summary>One image as the causal check masks it: its model input and its field of view at input size.</summary>
public sealed record ProbeImage(string Key, float[] Input, FieldOfView FieldOfView);

/// <summary>What masking a region did to a class's images.</summary>
/// <param name="Images">Images masked.</param>
/// <param name="MeanScore">Mean probability of the class before masking.</param>
/// <param name="MeanScoreDrop">Mean of (p_c before − p_c after) over the images.</param>
/// <param name="FlipRate">Share of the images predicted as the class before masking that are predicted as another class after.</param>
/// <param name="InsideFieldOfView">Mean share of the masked pixels inside the field of view: the region is outside the anatomy below one half.</param>
/// <param name="Flipped">The images whose prediction left the class.</param>
public sealed record RegionEffect(SuspectRegion Region, int ClassIndex, int Images, double MeanScore, double MeanScoreDrop, double FlipRate,
    double InsideFieldOfView, IReadOnlyList<string> Flipped)
{
    /// <summary>A region is outside the anatomy when most of what was masked lies outside the field of view (the colour probe never is).</summary>
    public bool OutsideAnatomy => Region.Kind != SuspectRegionKind.Colour && InsideFieldOfView < 0.5;

    /// <summary>The larger of the flip rate and the mean drop: what the margin is compared with.</summary>
    public double Effect => Math.Max(FlipRate, MeanScoreDrop);
}

/// <summary>
/// The causal check of issue 13: masks a suspect region (<see cref="RegionMask"/>) on each of its
/// images and measures how the class's probability (softmax of the logits) and the prediction
/// change. A region's masked copies go through the score engine in one call (the engine chunks
/// them), as the faithfulness metrics do with their perturbed copies. On a multi-label head
/// (<paramref name="findingThreshold"/> given) the class is a finding with a sigmoid of its own: its
/// probability is σ(S_f), an image "predicts" the finding when that is at least the threshold, and a
/// flip is its falling below the threshold after masking (the other findings play no part).
/// </summary>
/// <param name="findingThreshold">The run's <c>--finding-threshold</c> on a multi-label head; null on a softmax head.</param>
public sealed class CausalCheck(InputGeometry geometry, IScoreEngine engine, int classes, double? findingThreshold = null)
{
    private readonly Dictionary<string, float[]> _originalLogits = new(StringComparer.Ordinal);

    /// <param name="images">The region's images (<see cref="SuspectRegion.ImageKeys"/>) that loaded.</param>
    /// <param name="targetColour">The colour probe's target, per channel in pixel units (<see cref="RegionMask.MeanColour"/>).</param>
    public RegionEffect Measure(SuspectRegion region, int classIndex, IReadOnlyList<ProbeImage> images, ReadOnlySpan<double> targetColour)
    {
        int n = images.Count, size = geometry.SampleSize;
        if (n == 0) return new RegionEffect(region, classIndex, 0, double.NaN, double.NaN, double.NaN, double.NaN, []);
        Originals(images);
        var masked = new float[n * size];
        double inside = 0;
        for (int i = 0; i < n; i++)
            inside += RegionMask.Apply(images[i].Input, region, images[i].FieldOfView, geometry, targetColour, masked.AsSpan(i * size, size));
        var logits = new float[n * classes];
        engine.Score(masked, n, logits);

        double score = 0, drop = 0;
        int predicted = 0;
        var flipped = new List<string>();
        for (int i = 0; i < n; i++)
        {
            var before = _originalLogits[images[i].Key];
            var after = logits.AsSpan(i * classes, classes);
            double p = Probability(before, classIndex), pAfter = Probability(after, classIndex);
            score += p;
            drop += p - pAfter;
            if (!Predicts(before, p, classIndex)) continue;
            predicted++;
            if (!Predicts(after, pAfter, classIndex)) flipped.Add(images[i].Key);
        }
        return new RegionEffect(region, classIndex, n, score / n, drop / n, predicted == 0 ? 0 : (double)flipped.Count / predicted, inside / n, flipped);
    }

    private double Probability(ReadOnlySpan<float> logits, int c) => ClassProbability.Of(logits, c, findingThreshold is not null);

    /// <summary>The class is the prediction (softmax head) or the finding is present (multi-label head).</summary>
    private bool Predicts(ReadOnlySpan<float> logits, double probability, int c) =>
        findingThreshold is double threshold ? probability >= threshold : TensorPrimitives.IndexOfMax(logits) == c;

    /// <summary>Scores the images not scored yet, in one call: regions of a class share their images' unmasked scores.</summary>
    private void Originals(IReadOnlyList<ProbeImage> images)
    {
        var missing = images.Where(i => !_originalLogits.ContainsKey(i.Key)).DistinctBy(i => i.Key).ToList();
        if (missing.Count == 0) return;
        int size = geometry.SampleSize;
        var inputs = new float[missing.Count * size];
        for (int i = 0; i < missing.Count; i++) missing[i].Input.CopyTo(inputs.AsSpan(i * size, size));
        var logits = new float[missing.Count * classes];
        engine.Score(inputs, missing.Count, logits);
        for (int i = 0; i < missing.Count; i++) _originalLogits[missing[i].Key] = logits[(i * classes)..((i + 1) * classes)];
    }
}
