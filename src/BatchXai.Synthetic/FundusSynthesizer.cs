using BatchXai.Synthetic.Rendering;

namespace BatchXai.Synthetic;

/// <summary>
/// Renders synthetic retinal fundus photographs with planted, grade-defining DR lesions and a
/// pixel-exact lesion mask. Image <c>index</c> of <c>seed</c> is a pure function of (seed, index,
/// options): each image has its own <see cref="Random"/>, so images can be made in any order and
/// in parallel. Thread-safe.
/// </summary>
public sealed class FundusSynthesizer
{
    private readonly double[] _cumulativeGradeWeights;

    public FundusSynthesizer(SampleDataOptions? options = null)
    {
        Options = options ?? new SampleDataOptions();
        Options.Validate();
        var w = Options.GradeWeights ?? Enumerable.Repeat(1.0, DrGrades.Count).ToArray();
        double total = w.Sum(), acc = 0;
        _cumulativeGradeWeights = w.Select(x => acc += x / total).ToArray();
        // Rounding can leave the last bound just under 1; from the last grade with weight on, the
        // bound is exactly 1 so a draw can never land on a trailing zero-weight grade.
        int lastUsed = w.ToList().FindLastIndex(x => x > 0);
        for (int g = lastUsed; g < _cumulativeGradeWeights.Length; g++) _cumulativeGradeWeights[g] = 1.0;
    }

    public SampleDataOptions Options { get; }

    /// <summary>Image <paramref name="index"/> of <paramref name="seed"/>, its grade drawn from the configured distribution.</summary>
    public SyntheticFundus Generate(int seed, int index)
    {
        var rng = new Random(SampleIdentity.RandomSeedFor(seed, index));
        int grade = DrawGrade(rng);
        return Render(SampleIdentity.IdFor(seed, index), grade, rng);
    }

    /// <summary>
    /// Image <paramref name="index"/> of <paramref name="seed"/> with a forced grade. The grade draw is
    /// still consumed, so forcing the grade the distribution would have picked gives the identical image.
    /// </summary>
    public SyntheticFundus Generate(int seed, int index, int grade)
    {
        if (grade is < 0 or >= DrGrades.Count)
            throw new ArgumentOutOfRangeException(nameof(grade), grade, "DR grade must be 0..4");
        var rng = new Random(SampleIdentity.RandomSeedFor(seed, index));
        DrawGrade(rng);
        return Render(SampleIdentity.IdFor(seed, index), grade, rng);
    }

    private SyntheticFundus Render(string id, int grade, Random rng)
    {
        int size = Options.Size;
        var geometry = RetinaGeometry.Sample(size, rng);
        var canvas = new FloatCanvas(size);
        FundusBackgroundPainter.Paint(canvas, geometry, rng);
        VesselPainter.PaintTree(canvas, geometry, rng);

        var plan = LesionPlanner.Plan(grade, rng);
        var mask = new byte[size * size];
        LesionPainter.Paint(canvas, mask, geometry, plan, rng);

        var image = canvas.ToImage();
        var tag = Options.CleverHans ? ShortcutTagStamper.Stamp(image, geometry, grade, Options.TagFidelity, rng) : null;
        // Drawn last, and the draws made only when the option is on, so every other image stays byte-identical.
        PixelBox? ring = grade == Options.RingGrade && rng.NextDouble() < Options.RingShare ? PlantedShortcuts.DrawRing(image, geometry) : null;
        bool cast = grade == Options.CastGrade && rng.NextDouble() < Options.CastShare;
        if (cast) PlantedShortcuts.CastColour(image);
        return new SyntheticFundus(id, grade, image, mask, plan, tag, new PixelCircle(geometry.CentreX, geometry.CentreY, geometry.FovRadius))
        {
            Ring = ring,
            ColourCast = cast,
        };
    }

    private int DrawGrade(Random rng)
    {
        double u = rng.NextDouble();
        int g = 0;
        while (u >= _cumulativeGradeWeights[g]) g++;
        return g;
    }
}
