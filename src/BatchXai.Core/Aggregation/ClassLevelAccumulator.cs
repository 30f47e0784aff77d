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

    private readonly double[] _sum;
    private readonly Histogram _scores, _roiRatios;
    private readonly double _roiThreshold;

    public ClassLevelAccumulator(int classIndex, int height, int width, int bins = 20, double roiThreshold = DefaultClassRoiThreshold, bool signed = false)
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
        var normalized = atSize.Normalized(Signed);
        for (int i = 0; i < _sum.Length; i++) _sum[i] += normalized.Values[i];
        _scores.AddRange(normalized.Values);
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
