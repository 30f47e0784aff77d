using BatchXai.Synthetic;
using static BatchXai.Tests.Synthetic.SyntheticFixtures;

namespace BatchXai.Tests.Synthetic;

/// <summary>
/// The mask must mark exactly what was painted. The reference is the same eye rendered at grade 0:
/// with a forced grade, anatomy, colours and vessels are drawn from the same random stream before
/// any lesion, so the grade-0 render is the lesion-free background of the grade-k render.
/// </summary>
public class LesionGroundTruthTests
{
    private static readonly FundusSynthesizer Synth = new();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void GradeZeroHasEmptyMaskAndNoLesions(int seed)
    {
        var s = Synth.Generate(seed, 0, grade: 0);
        Assert.All(s.Mask, v => Assert.Equal(0, v));
        Assert.Equal(0, s.Lesions.Total);
    }

    [Theory]
    [InlineData(1, new[] { LesionType.Microaneurysm }, new LesionType[0])]
    [InlineData(2, new[] { LesionType.Microaneurysm, LesionType.Haemorrhage, LesionType.HardExudate }, new LesionType[0])]
    [InlineData(3, new[] { LesionType.Microaneurysm, LesionType.Haemorrhage, LesionType.CottonWoolSpot }, new[] { LesionType.HardExudate })]
    [InlineData(4, new[] { LesionType.Microaneurysm, LesionType.Haemorrhage, LesionType.CottonWoolSpot, LesionType.Neovascularisation }, new[] { LesionType.HardExudate })]
    public void GradesCarryTheirLesionTypesAndNoOthers(int grade, LesionType[] required, LesionType[] optional)
    {
        for (int index = 0; index < 6; index++)
        {
            var s = Synth.Generate(21, index, grade);
            var present = TypesIn(s.Mask);
            foreach (var t in required)
            {
                Assert.Contains(t, present);
                Assert.True(s.Lesions.Of(t) > 0, $"grade {grade} image {index}: {t} painted but not counted");
            }
            var allowed = required.Concat(optional).ToHashSet();
            Assert.All(present, t => Assert.Contains(t, allowed));
            foreach (var t in optional)
                Assert.Equal(s.Lesions.Of(t) > 0, present.Contains(t));
        }
    }

    [Fact]
    public void HaemorrhageCountSeparatesModerateFromSevere()
    {
        int maxModerate = Enumerable.Range(0, 30).Max(i => Synth.Generate(8, i, 2).Lesions.Haemorrhages);
        int minSevere = Enumerable.Range(0, 30).Min(i => Synth.Generate(8, i, 3).Lesions.Haemorrhages);
        Assert.True(maxModerate < minSevere, $"moderate up to {maxModerate} haemorrhages, severe from {minSevere}");
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    public void OnlyPixelsNearTheMaskDifferFromTheLesionFreeEye(int grade, int index)
    {
        var background = Synth.Generate(31, index, grade: 0);
        var lesioned = Synth.Generate(31, index, grade);
        // Anti-aliased rims reach one pixel past the mask. Cotton-wool spots are Gaussians (σ ≤ 5.5 px)
        // masked where coverage ≥ 0.35 (≈1.45σ) but visible down to ≈1% coverage (≈3σ, up to 3.3σ in
        // the corners of the stamping window): up to ≈10 px past the mask.
        var near = DilatedLesions(lesioned.Mask, lesioned.Size, radius: 11);
        int changedFar = 0;
        for (int i = 0; i < near.Length; i++)
            if (!near[i] && Pixel(background, i) != Pixel(lesioned, i)) changedFar++;
        Assert.Equal(0, changedFar);
        Assert.NotEqual(background.Image.Pixels, lesioned.Image.Pixels);
    }

    [Theory]
    [InlineData(LesionType.Microaneurysm, 1, true)]
    [InlineData(LesionType.Haemorrhage, 3, true)]
    [InlineData(LesionType.Neovascularisation, 4, false)]   // bright-red new vessels: redder, not darker over a vein
    public void RedLesionPixelsAreRedderThanTheirBackground(LesionType type, int grade, bool darker)
    {
        var background = Synth.Generate(41, 0, grade: 0);
        var lesioned = Synth.Generate(41, 0, grade);
        var pixels = InteriorPixels(lesioned.Mask, lesioned.Size, type).ToList();
        Assert.NotEmpty(pixels);
        int darkerAndRedder = pixels.Count(i =>
        {
            var (r0, g0, b0) = Pixel(background, i);
            var (r1, g1, b1) = Pixel(lesioned, i);
            double redShare0 = r0 / (r0 + g0 + b0 + 1.0), redShare1 = r1 / (r1 + g1 + b1 + 1.0);
            return g1 < g0 && redShare1 > redShare0 && (!darker || r1 + g1 + b1 < r0 + g0 + b0);
        });
        Assert.True(darkerAndRedder >= 0.95 * pixels.Count, $"{type}: {darkerAndRedder}/{pixels.Count} interior pixels redder{(darker ? " and darker" : "")}");
    }

    [Theory]
    [InlineData(LesionType.HardExudate, 2)]
    [InlineData(LesionType.CottonWoolSpot, 3)]
    public void PaleLesionPixelsAreBrighterAndYellowerThanTheirBackground(LesionType type, int grade)
    {
        var background = Synth.Generate(43, 1, grade: 0);
        var lesioned = Synth.Generate(43, 1, grade);
        var pixels = InteriorPixels(lesioned.Mask, lesioned.Size, type).ToList();
        Assert.NotEmpty(pixels);
        int brighter = pixels.Count(i =>
        {
            var (r0, g0, b0) = Pixel(background, i);
            var (_, g1, b1) = Pixel(lesioned, i);
            return g1 > g0 + 20 && b1 > b0;
        });
        Assert.True(brighter >= 0.95 * pixels.Count, $"{type}: {brighter}/{pixels.Count} interior pixels brighter");
    }

    [Fact]
    public void LesionsSitInsideTheFieldOfViewAndSurroundIsBlack()
    {
        var s = Synth.Generate(51, 2, grade: 4);
        double c = s.Size / 2.0, fov = 0.47 * s.Size;
        for (int y = 0; y < s.Size; y++)
            for (int x = 0; x < s.Size; x++)
            {
                double d = Math.Sqrt((x + 0.5 - c) * (x + 0.5 - c) + (y + 0.5 - c) * (y + 0.5 - c));
                int i = y * s.Size + x;
                if (d > fov + 1.5) Assert.Equal((0, 0, 0), Pixel(s, i));
                if (s.Mask[i] != 0) Assert.True(d < fov, $"lesion pixel ({x},{y}) outside the field of view");
            }
    }
}
