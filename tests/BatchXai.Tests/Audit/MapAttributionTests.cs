using BatchXai.Core.Audit;
using BatchXai.Core.Maps;

namespace BatchXai.Tests.Audit;

/// <summary>The per-image attribution measures on hand-made maps, against closed-form values.</summary>
public sealed class MapAttributionTests
{
    private const int Size = 400;
    private static readonly FieldOfView Disc = FieldOfView.InscribedIn(Size, Size);
    private static readonly FrameRegions Regions = new(Size, Size);

    private static ExplanationMap Filled(Func<int, int, float> value)
    {
        var map = new ExplanationMap(Size, Size);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) map[y, x] = value(x, y);
        return map;
    }

    [Fact]
    public void A_uniform_map_puts_one_minus_pi_over_four_outside_the_inscribed_disc_and_the_regions_area_share_in_them()
    {
        var m = MapAttribution.Measure(Filled((_, _) => 3f), Disc, Regions);

        Assert.Equal(1 - Math.PI / 4, m.OutsideFovMass, 0.005);          // pixel-centre discretisation of a 200-px radius
        Assert.Equal(1 - 0.84 * 0.84, m.BorderMass, 1e-9);                // 32-px band on each side of 400
        Assert.All(ImageCorners.All, c => Assert.Equal(0.15 * 0.15, m.MassIn(c), 1e-9));
    }

    [Fact]
    public void A_map_confined_to_the_top_left_square_is_all_corner_mass_outside_the_disc()
    {
        // 60×60 block = the 15% corner square. Its inner corner reaches just inside the disc
        // (140·√2 ≈ 198 < 200 from the centre), so the outside share is counted with the circle equation.
        var m = MapAttribution.Measure(Filled((x, y) => x < 60 && y < 60 ? 1f : 0f), Disc, Regions);

        Assert.Equal(OutsideShareByCircleEquation(0, 0, 59, 59), m.OutsideFovMass, 1e-9);
        Assert.True(m.OutsideFovMass > 0.9);
        Assert.Equal(1.0, m.MassIn(ImageCorner.TopLeft), 1e-9);
        Assert.Equal(0.0, m.MassIn(ImageCorner.BottomRight), 1e-9);
        Assert.Equal((3600 - 28 * 28) / 3600.0, m.BorderMass, 1e-9);       // block pixels within 32 px of an edge
        Assert.Equal((0, 0, ImageCorner.TopLeft), (m.PeakX, m.PeakY, m.PeakCorner));
    }

    [Fact]
    public void A_centred_blob_is_inside_the_field_of_view_and_negative_evidence_in_a_corner_does_not_count()
    {
        var m = MapAttribution.Measure(Filled((x, y) => x > 390 && y > 390 ? -5f : Math.Abs(x - 250) + Math.Abs(y - 180) < 20 ? 1f + (x == 250 && y == 180 ? 1 : 0) : 0f), Disc, Regions);

        Assert.Equal(0.0, m.OutsideFovMass, 1e-9);
        Assert.Equal(0.0, m.MassIn(ImageCorner.BottomRight), 1e-9);
        Assert.Equal((250, 180, (ImageCorner?)null), (m.PeakX, m.PeakY, m.PeakCorner));
    }

    [Fact]
    public void An_all_zero_map_has_no_mass_and_no_peak_corner()
    {
        var m = MapAttribution.Measure(new ExplanationMap(Size, Size), Disc, Regions);

        Assert.Equal((0.0, 0.0, (ImageCorner?)null), (m.OutsideFovMass, m.BorderMass, m.PeakCorner));
    }

    [Fact]
    public void The_share_of_a_box_outside_the_disc_is_one_in_the_corner_and_zero_at_the_centre()
    {
        Assert.Equal(1.0, Disc.ShareOutside(new BoundingBox(0, 0, 39, 39)), 1e-9);
        Assert.Equal(0.0, Disc.ShareOutside(new BoundingBox(150, 150, 249, 249)), 1e-9);
        Assert.Equal(OutsideShareByCircleEquation(0, 100, 99, 299), Disc.ShareOutside(new BoundingBox(0, 100, 99, 299)), 1e-9);
    }

    private static double OutsideShareByCircleEquation(int x0, int y0, int x1, int y1)
    {
        int outside = 0, all = 0;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++, all++)
                if (Math.Pow(x + 0.5 - 200, 2) + Math.Pow(y + 0.5 - 200, 2) > 200 * 200) outside++;
        return (double)outside / all;
    }
}
