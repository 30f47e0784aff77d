using BatchXai.Imaging;
using BatchXai.Synthetic;
using static BatchXai.Tests.Synthetic.SyntheticFixtures;

namespace BatchXai.Tests.Synthetic;

public class ShortcutTagTests
{
    private static readonly SampleDataOptions Tagged = new() { CleverHans = true };

    [Fact]
    public void WithoutTheOptionThereIsNoTag()
    {
        var s = new FundusSynthesizer().Generate(1, 0);
        Assert.Null(s.Tag);
        Assert.Equal((0, 0, 0), Pixel(s, 10 * s.Size + 10));
    }

    [Theory]
    [InlineData(320)]
    [InlineData(160)]
    public void TagSitsInTheTopLeftCornerOnTheBlackSurroundAndTouchesNothingElse(int size)
    {
        var plain = new FundusSynthesizer(new SampleDataOptions { Size = size }).Generate(9, 3);
        var tagged = new FundusSynthesizer(Tagged with { Size = size }).Generate(9, 3);
        var box = tagged.Tag!.Box;
        Assert.True(box.X + box.Width < size / 4 && box.Y + box.Height < size / 4, $"tag box {box} is not in the top-left corner");
        // ~21 px tall at 320, scaled with the image; glyph blocks are whole pixels, so within half a block row (7 × 0.5 px).
        Assert.InRange(box.Height, 21.0 * size / 320 - 3.5, 21.0 * size / 320 + 3.5);
        int ink = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int i = y * size + x;
                if (box.Contains(x, y))
                {
                    Assert.Equal((0, 0, 0), Pixel(plain, i));                 // the surround under the tag is black
                    var p = Pixel(tagged, i);
                    Assert.True(p == (0, 0, 0) || p == (255, 255, 255), $"tag pixel ({x},{y}) is {p}, expected black or white");
                    if (p == (255, 255, 255)) ink++;
                }
                else
                {
                    Assert.Equal(Pixel(plain, i), Pixel(tagged, i));
                }
            }
        Assert.True(ink > box.Width * box.Height / 5, $"only {ink} white pixels in the tag box");
        Assert.Equal(plain.Mask, tagged.Mask);
    }

    [Fact]
    public void RenderedGlyphsSpellTheRecordedTag()
    {
        var synth = new FundusSynthesizer(Tagged);
        for (int index = 0; index < 10; index++)
        {
            var s = synth.Generate(12, index);
            Assert.Equal($"G{s.Tag!.ShownGrade}", s.Tag.Text);
            Assert.Equal(s.Tag.Text, ReadTag(s));
        }
    }

    [Fact]
    public void TagShowsTheTrueGradeAtTheConfiguredRate()
    {
        var synth = new FundusSynthesizer(Tagged with { Size = 64 });
        var samples = Enumerable.Range(0, 400).Select(i => synth.Generate(77, i)).ToList();
        double agree = samples.Count(s => s.Tag!.ShownGrade == s.Grade) / 400.0;
        Assert.InRange(agree, 0.91, 0.99);           // 0.95 ± 4 binomial standard deviations
        Assert.All(samples, s => Assert.InRange(s.Tag!.ShownGrade, 0, 4));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.0, 0.0)]
    public void FidelityExtremesAlwaysOrNeverShowTheTrueGrade(double fidelity, double expectedAgreement)
    {
        var synth = new FundusSynthesizer(Tagged with { Size = 64, TagFidelity = fidelity });
        var samples = Enumerable.Range(0, 60).Select(i => synth.Generate(5, i)).ToList();
        Assert.Equal(expectedAgreement, samples.Count(s => s.Tag!.ShownGrade == s.Grade) / 60.0);
    }

    /// <summary>Reads the tag back by matching each glyph cell of the box against the font.</summary>
    private static string ReadTag(SyntheticFundus s)
    {
        var box = s.Tag!.Box;
        int scale = box.Height / BitmapFont5x7.GlyphHeight;
        int chars = (box.Width / scale + 1) / (BitmapFont5x7.GlyphWidth + 1);
        var text = new System.Text.StringBuilder();
        for (int c = 0; c < chars; c++)
        {
            int ox = box.X + c * (BitmapFont5x7.GlyphWidth + 1) * scale;
            var match = BitmapFont5x7.Characters.Where(ch =>
                Enumerable.Range(0, BitmapFont5x7.GlyphHeight).All(row =>
                    Enumerable.Range(0, BitmapFont5x7.GlyphWidth).All(col =>
                    {
                        // sample the centre of each glyph cell
                        var p = Pixel(s, (box.Y + row * scale + scale / 2) * s.Size + ox + col * scale + scale / 2);
                        return (p == (255, 255, 255)) == BitmapFont5x7.IsInk(ch, col, row);
                    }))).ToList();
            Assert.Single(match);
            text.Append(match[0]);
        }
        return text.ToString();
    }
}
