namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// How many lesions of each type a grade gets, loosely after the international DR scale:
/// mild = microaneurysms only; moderate = more MAs plus a few blot haemorrhages and/or exudates;
/// severe = many haemorrhages and exudates plus cotton-wool spots; proliferative = severe plus
/// neovascularisation. The ranges do not overlap where they define a grade (haemorrhage count
/// separates 2 from 3, NV separates 3 from 4), so the grade is learnable from the lesions alone.
/// </summary>
internal static class LesionPlanner
{
    public static LesionCounts Plan(int grade, Random rng) => grade switch
    {
        0 => LesionCounts.Zero,
        1 => new LesionCounts(Between(rng, 3, 6), 0, 0, 0, 0),
        2 => new LesionCounts(Between(rng, 5, 10), Between(rng, 2, 4), Between(rng, 0, 2), 0, 0),
        3 => new LesionCounts(Between(rng, 8, 14), Between(rng, 6, 10), Between(rng, 2, 4), Between(rng, 1, 3), 0),
        4 => new LesionCounts(Between(rng, 8, 14), Between(rng, 6, 10), Between(rng, 2, 4), Between(rng, 1, 3), Between(rng, 1, 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "DR grade must be 0..4"),
    };

    private static int Between(Random rng, int min, int maxInclusive) => rng.Next(min, maxInclusive + 1);
}
