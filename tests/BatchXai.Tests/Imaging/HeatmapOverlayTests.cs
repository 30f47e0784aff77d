using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

public class HeatmapOverlayTests
{
    [Fact]
    public void Jet_matches_matplotlib_at_ends_and_middle()
    {
        // matplotlib: jet(0) = (0, 0, 0.5), jet(1) = (0.5, 0, 0), jet(128/255) = (0.4902, 1, 0.4775).
        Assert.Equal(new Rgb(0, 0, 128), Colormap.Jet[0]);
        Assert.Equal(new Rgb(128, 0, 0), Colormap.Jet[255]);
        Assert.Equal(new Rgb(125, 255, 122), Colormap.Jet[128]);
    }

    [Fact]
    public void Turbo_runs_from_dark_through_green_to_dark_red()
    {
        var low = Colormap.Turbo.Map(0f);
        var lowBlue = Colormap.Turbo.Map(0.15f);
        var middle = Colormap.Turbo.Map(0.5f);
        var high = Colormap.Turbo.Map(1f);
        Assert.True(low.R + low.G + low.B < 120, $"low {low}");
        Assert.True(lowBlue.B > 200 && lowBlue.B > lowBlue.R, $"0.15 {lowBlue}");
        Assert.True(middle.G > 200, $"middle {middle}");
        Assert.True(high.R > high.G && high.R > high.B && high.R < 160, $"high {high}");
    }

    [Fact]
    public void Render_blends_only_values_at_or_above_the_threshold()
    {
        var background = new RgbImage(3, 1, [100, 100, 100, 100, 100, 100, 100, 100, 100]);
        float[] map = [0.1f, 0.2f, 1f];
        var result = HeatmapOverlay.Render(background, map, threshold: 0.2f, alpha: 0.25f);

        Assert.Equal(new byte[] { 100, 100, 100 }, result.Pixels[..3]);
        var c = Colormap.Jet[51];   // 0.2 · 255
        Assert.Equal(new[] { Blend(100, c.R), Blend(100, c.G), Blend(100, c.B) }, result.Pixels[3..6]);
        Assert.Equal(new[] { Blend(100, 128), Blend(100, 0), Blend(100, 0) }, result.Pixels[6..]);
        Assert.All(background.Pixels, v => Assert.Equal(100, v));   // the background is not modified

        static byte Blend(int background, int colour) => (byte)Math.Round(0.75 * background + 0.25 * colour, MidpointRounding.AwayFromZero);
    }

    [Fact]
    public void Render_rejects_a_map_of_the_wrong_size()
    {
        Assert.Throws<ArgumentException>(() => HeatmapOverlay.Render(new RgbImage(4, 4), new float[15]));
    }

    [Fact]
    public void DrawBox_draws_the_outline_only_and_clips()
    {
        var image = new RgbImage(10, 8);
        HeatmapOverlay.DrawBox(image, 2, 1, 6, 5, Rgb.Red);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 10; x++)
            {
                bool onEdge = x is >= 2 and <= 6 && y is >= 1 and <= 5 && (x is 2 or 6 || y is 1 or 5);
                Assert.Equal(onEdge ? (byte)255 : (byte)0, image.Pixels[(y * 10 + x) * 3]);
            }

        HeatmapOverlay.DrawBox(image, -5, -5, 20, 3, Rgb.Green);   // partly outside: no exception
        Assert.Equal(255, image.Pixels[(3 * 10 + 4) * 3 + 1]);      // bottom edge at y = 3 drawn
    }
}
