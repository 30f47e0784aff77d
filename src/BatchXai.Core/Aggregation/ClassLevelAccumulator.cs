using System.Numerics.Tensors;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Aggregation;

/// <summary>
/// Streams the per-image maps of one method and one class into a <see cref="ClassLevelView"/>:
/// memory stays one map's worth however many images the class has. Each map enters normalised by
/// its 99.5th-percentile scale (<see cref="ExplanationMap.Normalized"/>): into [0, 1], or for a signed
/// method into [−1, 1], so the class average of a signed method stays signed (evidence for the class
/// and against it can cancel) and its score histogram spans [−1, 1].
/// </summary>
public sealed class ClassLevelAccumulator
{
    /// <summary>The CRM paper's class-level ROI: where average_CRM ≥ 70% of its maximum.</summary>
    public const double DefaultClassRoiThreshold = 0.7;

    public const int DefaultBins = 20;

    private readonly double[] _sum;
    private readonly Histogram _scores, _roiRatios;
    private readonly double _roiThreshold;

    public ClassLevelAccumulator(int classIndex, int height, int width, int bins = DefaultBins, double roiThreshold = DefaultClassRoiThreshold, bool signed = false)
    {
        ClassIndex = classIndex;
        Signed = signed;
        Height = height;
        Width = width;
        _sum = new double[height * width];
        _scores = new Histogram(bins, min: ScoreMin(signed));
        _roiRatios = new Histogram(bins);
        _roiThreshold = roiThreshold;
    }

    /// <summary>The low end of the score histogram: normalised scores lie in [0, 1], a signed method's in [−1, 1].</summary>
    public static double ScoreMin(bool signed) => signed ? -1 : 0;

    public int ClassIndex { get; }
    public bool Signed { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count { get; private set; }

    /// <summary>Adds one image's map (any resolution; brought to the class grid) and its ROI ratio.</summary>
    public void Add(ExplanationMap map, double imageRoiRatio)
    {
        var atSize = map.Height == Height && map.Width == Width ? map : BilinearUpsampler.Resize(map, Height, Width);
        Add(Normalize(atSize, Signed, _scores.Counts.Length), imageRoiRatio);
    }

    /// <summary>
    /// The per-image half of <see cref="Add(ExplanationMap, double)"/>, which needs no accumulator and so can run on
    /// several images at once: the map normalised and its scores binned, at the map's own size.
    /// </summary>
    public static NormalizedMap Normalize(ExplanationMap map, bool signed, int bins = DefaultBins)
    {
        var normalized = map.Normalized(signed);
        var scores = new Histogram(bins, min: ScoreMin(signed));
        scores.AddRange(normalized.Values);
        return new NormalizedMap(normalized, scores);
    }

    /// <summary>Adds one image measured by <see cref="Normalize"/> (same sign and bins), already at the class grid, and its ROI ratio.</summary>
    public void Add(NormalizedMap image, double imageRoiRatio)
    {
        var map = image.Map;
        if (map.Height != Height || map.Width != Width)
            throw new ArgumentException($"a {map.Height}x{map.Width} normalised map for a {Height}x{Width} class grid: resize before normalising", nameof(image));
        for (int i = 0; i < _sum.Length; i++) _sum[i] += map.Values[i];
        _scores.Merge(image.Scores);
        _roiRatios.Add(imageRoiRatio);
        Count++;
    }

    public ClassLevelView Build()
    {
        var average = new ExplanationMap(Height, Width);
        if (Count > 0)
            for (int i = 0; i < _sum.Length; i++) average.Values[i] = (float)(_sum[i] / Count);
        float max = average.Max();
        int pixels = 0;
        var box = BoundingBox.Empty;
        if (max > 0) box = BoundingBox.Of(average.Values, Width, (float)(_roiThreshold * max), out pixels);
        return new ClassLevelView(ClassIndex, Count, average, _roiThreshold, pixels, (double)pixels / average.Values.Length, box, _scores, _roiRatios)
        {
            Signed = Signed,
        };
    }
}

/// <summary>One image's map normalised as the class view adds it, with its scores binned (<see cref="ClassLevelAccumulator.Normalize"/>).</summary>
public sealed record NormalizedMap(ExplanationMap Map, Histogram Scores);
