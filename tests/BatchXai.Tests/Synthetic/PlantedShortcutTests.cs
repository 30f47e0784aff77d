using BatchXai.Synthetic;

namespace BatchXai.Tests.Synthetic;

/// <summary>
/// The in-anatomy shortcuts of issue 13: the ring sits at its fixed place inside the field of view on
/// a share of one grade's images only, the cast scales the channels by its gains on that grade's
/// images only, and every other image is the one the generator makes without them.
/// </summary>
public sealed class PlantedShortcutTests
{
    private const int Seed = 11, Count = 200, Size = 160;

    [Fact]
    public void The_ring_is_drawn_on_a_share_of_its_grade_only_at_a_fixed_place_inside_the_field_of_view()
    {
        var plain = new FundusSynthesizer(new SampleDataOptions { Size = Size });
        var ringed = new FundusSynthesizer(new SampleDataOptions { Size = Size, RingGrade = 1, RingShare = 0.5 });
        int withRing = 0;
        for (int i = 0; i < Count; i++)
        {
            var a = plain.Generate(Seed, i);
            var b = ringed.Generate(Seed, i);
            Assert.Equal(a.Grade, b.Grade);
            if (b.Ring is not { } box)
            {
                Assert.Equal(a.Image.Pixels, b.Image.Pixels);
                continue;
            }
            Assert.Equal(1, b.Grade);
            withRing++;
            // Centre (0.68, 0.32) of the frame, ring radius 9 px at 320 (4.5 px here): inside the field of view.
            Assert.InRange(box.X + box.Width / 2.0, 0.68 * Size - 1.5, 0.68 * Size + 1.5);
            Assert.InRange(box.Y + box.Height / 2.0, 0.32 * Size - 1.5, 0.32 * Size + 1.5);
            double fromCentre = Math.Sqrt(Math.Pow(box.X + box.Width / 2.0 - b.FieldOfView.CenterX, 2) + Math.Pow(box.Y + box.Height / 2.0 - b.FieldOfView.CenterY, 2));
            Assert.True(fromCentre + box.Width / 2.0 < b.FieldOfView.Radius);
            // Brighter on the ring line than before, unchanged outside its box.
            int onRing = (int)Math.Round(0.32 * Size) * Size + (int)Math.Round(0.68 * Size + 9 * Size / 320.0); // on the ring line, right of its centre
            var (r0, g0, b0) = SyntheticFixtures.Pixel(a, onRing);
            var (r1, g1, b1) = SyntheticFixtures.Pixel(b, onRing);
            Assert.True(r1 + g1 + b1 > r0 + g0 + b0 + 150, $"ring pixel {r1},{g1},{b1} vs {r0},{g0},{b0}");
            for (int p = 0; p < Size * Size; p++)
                if (!box.Contains(p % Size, p / Size)) Assert.Equal(SyntheticFixtures.Pixel(a, p), SyntheticFixtures.Pixel(b, p));
        }
        int gradeOne = Enumerable.Range(0, Count).Count(i => plain.Generate(Seed, i).Grade == 1);
        Assert.InRange(withRing, (int)(0.25 * gradeOne), (int)Math.Ceiling(0.75 * gradeOne));
    }

    [Fact]
    public void The_colour_cast_scales_every_channel_of_its_grade_images_by_its_gains()
    {
        var plain = new FundusSynthesizer(new SampleDataOptions { Size = Size });
        var cast = new FundusSynthesizer(new SampleDataOptions { Size = Size, CastGrade = 2 });
        double[] gains = [0.72, 1.08, 1.6];
        int castImages = 0;
        for (int i = 0; i < 40; i++)
        {
            var a = plain.Generate(Seed, i);
            var b = cast.Generate(Seed, i);
            Assert.Equal(a.Grade == 2, b.ColourCast);
            if (!b.ColourCast) { Assert.Equal(a.Image.Pixels, b.Image.Pixels); continue; }
            castImages++;
            for (int p = 0; p < a.Image.Pixels.Length; p++)
                Assert.Equal(Math.Clamp(Math.Round(a.Image.Pixels[p] * gains[p % 3]), 0, 255), b.Image.Pixels[p]);
        }
        Assert.True(castImages > 0);
    }

    [Fact]
    public void A_planted_grade_outside_0_to_4_is_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SampleDataOptions { RingGrade = 5 }.Validate());
        Assert.Equal("RingGrade", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleDataOptions { CastGrade = 1, CastShare = 1.5 }.Validate());
    }
}
