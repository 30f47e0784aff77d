using BatchXai.Synthetic;

namespace BatchXai.Tests.Synthetic;

public class FundusSynthesizerDeterminismTests
{
    private static readonly FundusSynthesizer Synth = new(new SampleDataOptions { Size = 160 });

    [Fact]
    public void SameSeedAndIndexGiveIdenticalBytes()
    {
        var a = Synth.Generate(11, 7);
        var b = new FundusSynthesizer(new SampleDataOptions { Size = 160 }).Generate(11, 7);
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.Grade, b.Grade);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Mask, b.Mask);
        Assert.Equal(a.Lesions, b.Lesions);
    }

    [Fact]
    public void ImageDoesNotDependOnGenerationOrderOrThread()
    {
        var sequential = Enumerable.Range(0, 8).Select(i => Synth.Generate(3, i).Image.Pixels).ToArray();
        var parallel = new byte[8][];
        Parallel.For(0, 8, i => parallel[7 - i] = Synth.Generate(3, 7 - i).Image.Pixels);
        for (int i = 0; i < 8; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [Fact]
    public void DifferentSeedOrIndexGivesDifferentImageAndId()
    {
        var a = Synth.Generate(1, 0, grade: 2);
        var otherSeed = Synth.Generate(2, 0, grade: 2);
        var otherIndex = Synth.Generate(1, 1, grade: 2);
        Assert.NotEqual(a.Image.Pixels, otherSeed.Image.Pixels);
        Assert.NotEqual(a.Image.Pixels, otherIndex.Image.Pixels);
        Assert.NotEqual(a.Id, otherSeed.Id);
        Assert.NotEqual(a.Id, otherIndex.Id);
    }

    [Fact]
    public void ForcingTheDrawnGradeReproducesTheUnforcedImage()
    {
        var drawn = Synth.Generate(5, 4);
        var forced = Synth.Generate(5, 4, drawn.Grade);
        Assert.Equal(drawn.Image.Pixels, forced.Image.Pixels);
        Assert.Equal(drawn.Mask, forced.Mask);
    }

    [Fact]
    public void IdsAreTwelveLowercaseHexDigitsAndUnique()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => SampleIdentity.IdFor(1, i)).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{12}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void PerImageRandomSeedsDoNotRepeatAcrossNeighbouringSeedsAndIndices()
    {
        var seeds = new HashSet<int>();
        for (int s = 0; s < 20; s++)
            for (int i = 0; i < 200; i++)
                seeds.Add(SampleIdentity.RandomSeedFor(s, i));
        Assert.True(seeds.Count > 3990, $"only {seeds.Count} distinct per-image seeds out of 4000");
    }
}
