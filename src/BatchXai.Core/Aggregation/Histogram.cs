namespace BatchXai.Core.Aggregation;

/// <summary>
/// A fixed-bin histogram over [Min, Max] with streaming mean and standard deviation: the
/// "score distribution" of CRM paper Fig. 6 (normal curve from mean/std, bars from the bins).
/// Values outside the range land in the edge bins.
/// </summary>
public sealed class Histogram
{
    public Histogram(int bins = 20, double min = 0, double max = 1)
    {
        if (bins <= 0) throw new ArgumentOutOfRangeException(nameof(bins));
        if (!(max > min)) throw new ArgumentException("histogram range must have max > min");
        Counts = new long[bins];
        Min = min;
        Max = max;
    }

    public double Min { get; }
    public double Max { get; }
    public long[] Counts { get; }
    public long Count { get; private set; }

    // Sums in double: millions of pixels in [0,1] stay exact enough; Welford is unnecessary here.
    private double _sum, _sumSquares;

    public double Mean => Count == 0 ? 0 : _sum / Count;

    /// <summary>Population standard deviation.</summary>
    public double StdDev => Count == 0 ? 0 : Math.Sqrt(Math.Max(0, _sumSquares / Count - Mean * Mean));

    public void Add(double value)
    {
        int bin = (int)((value - Min) / (Max - Min) * Counts.Length);
        Counts[Math.Clamp(bin, 0, Counts.Length - 1)]++;
        Count++;
        _sum += value;
        _sumSquares += value * value;
    }

    public void AddRange(ReadOnlySpan<float> values)
    {
        foreach (float v in values) Add(v);
    }

    /// <summary>Adds every value another histogram of the same bins and range has seen.</summary>
    public void Merge(Histogram other)
    {
        if (other.Counts.Length != Counts.Length || other.Min != Min || other.Max != Max)
            throw new ArgumentException($"cannot merge a {other.Counts.Length}-bin histogram over [{other.Min}, {other.Max}] into a {Counts.Length}-bin one over [{Min}, {Max}]", nameof(other));
        for (int b = 0; b < Counts.Length; b++) Counts[b] += other.Counts[b];
        Count += other.Count;
        _sum += other._sum;
        _sumSquares += other._sumSquares;
    }
}
