namespace BatchXai.Synthetic;

/// <summary>
/// How a synthetic fundus dataset is rendered. Every image is a function of (seed, index) and
/// these options only, so two runs with equal options produce byte-identical files.
/// </summary>
public sealed record SampleDataOptions
{
    /// <summary>Reference size at which lesion sizes are specified; other sizes scale geometrically.</summary>
    public const int ReferenceSize = 320;

    /// <summary>Width and height of the square image in pixels.</summary>
    public int Size { get; init; } = ReferenceSize;

    /// <summary>Stamp a grade-correlated text tag ("G3") on the black surround, top-left: a planted shortcut.</summary>
    public bool CleverHans { get; init; }

    /// <summary>Probability that the tag shows the true grade; otherwise it shows a different grade drawn uniformly.</summary>
    public double TagFidelity { get; init; } = 0.95;

    /// <summary>Grade whose images may carry a small bright ring at a fixed place on the retina (a shortcut inside the field of view); null: no ring.</summary>
    public int? RingGrade { get; init; }

    /// <summary>Share of <see cref="RingGrade"/>'s images that carry the ring.</summary>
    public double RingShare { get; init; } = 0.3;

    /// <summary>Grade whose images may carry a blue-green colour cast (a shortcut over the whole image); null: no cast.</summary>
    public int? CastGrade { get; init; }

    /// <summary>Share of <see cref="CastGrade"/>'s images that carry the cast.</summary>
    public double CastShare { get; init; } = 1.0;

    /// <summary>Relative frequency of grades 0..4; null means uniform (the models must learn every grade).</summary>
    public IReadOnlyList<double>? GradeWeights { get; init; }

    /// <summary>Parallelism of dataset writing; -1 lets the runtime decide.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    public void Validate()
    {
        if (Size < 64 || Size > 4096)
            throw new ArgumentOutOfRangeException(nameof(Size), Size, "synthetic fundus size must be between 64 and 4096 pixels");
        if (TagFidelity is < 0 or > 1 || double.IsNaN(TagFidelity))
            throw new ArgumentOutOfRangeException(nameof(TagFidelity), TagFidelity, "tag fidelity is a probability in [0,1]");
        foreach (var (name, grade, share) in new[] { (nameof(RingGrade), RingGrade, RingShare), (nameof(CastGrade), CastGrade, CastShare) })
        {
            if (grade is < 0 or >= DrGrades.Count) throw new ArgumentOutOfRangeException(name, grade, "a planted shortcut's grade must be 0..4");
            if (share is < 0 or > 1 || double.IsNaN(share)) throw new ArgumentOutOfRangeException(name, share, "a planted shortcut's share is a probability in [0,1]");
        }
        if (GradeWeights is { } w)
        {
            if (w.Count != DrGrades.Count)
                throw new ArgumentException($"{nameof(GradeWeights)} needs {DrGrades.Count} weights (grades 0..4), got {w.Count}", nameof(GradeWeights));
            if (w.Any(x => x < 0 || double.IsNaN(x) || double.IsInfinity(x)) || w.Sum() <= 0)
                throw new ArgumentException($"{nameof(GradeWeights)} must be finite, non-negative and not all zero", nameof(GradeWeights));
        }
    }
}

/// <summary>The diabetic-retinopathy grading scale used throughout the synthetic data.</summary>
public static class DrGrades
{
    public const int Count = 5;
    public static readonly IReadOnlyList<string> Names = ["none", "mild", "moderate", "severe", "proliferative"];
}
