namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// How many lesions of each type a grade gets, loosely after the international DR scale:
/// mild = microaneurysms only; moderate = a few blot haemorrhages with hard-exudate clusters;
/// severe = many haemorrhages plus cotton-wool spots; proliferative = severe plus
/// neovascularisation. Haemorrhage count separates 2 from 3 and NV separates 3 from 4, so the
/// grade is learnable from the lesions alone.
/// Departure from the clinic, on purpose: each grade has a signature lesion that is most frequent
/// at that grade (MAs at 1, exudates at 2, haemorrhages and cotton-wool spots at 3, NV at 4). With
/// nested lesion sets a GAP-linear grader separates a middle grade from its neighbours by what is
/// absent ("MAs but no haemorrhages"), which a class activation map cannot point at; a positive
/// signature per grade lets every grade's CAM land on a lesion.
/// </summary>
internal static class LesionPlanner
{
    public static LesionCounts Plan(int grade, Random rng) => grade switch
    {
        0 => LesionCounts.Zero,
        1 => new LesionCounts(Between(rng, 5, 9), 0, 0, 0, 0),
        2 => new LesionCounts(Between(rng, 1, 3), Between(rng, 2, 4), Between(rng, 2, 4), 0, 0),
        3 => new LesionCounts(Between(rng, 1, 3), Between(rng, 6, 10), Between(rng, 0, 1), Between(rng, 1, 3), 0),
        4 => new LesionCounts(Between(rng, 1, 3), Between(rng, 6, 10), Between(rng, 0, 1), Between(rng, 1, 3), Between(rng, 1, 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "DR grade must be 0..4"),
    };

    private static int Between(Random rng, int min, int maxInclusive) => rng.Next(min, maxInclusive + 1);
}
