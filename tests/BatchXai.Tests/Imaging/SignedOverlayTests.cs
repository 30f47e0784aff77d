using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

/// <summary>The diverging colour map of signed overlays against matplotlib's "bwr".</summary>
public sealed class SignedOverlayTests
{
    [Fact]
    public void Blue_white_red_matches_matplotlib_bwr_entry_by_entry()
    {
        var reference = PythonReference.Run("""
            import numpy as np
            from matplotlib import cm
            lut = np.round(cm.bwr(np.arange(256))[:, :3] * 255).astype(int)
            print(' '.join(f'{r},{g},{b}' for r, g, b in lut))
            """).Split(' ').Select(e => e.Split(',').Select(int.Parse).ToArray()).ToArray();

        Assert.Equal(256, reference.Length);
        for (int i = 0; i < 256; i++)
        {
            var ours = Colormap.BlueWhiteRed[i];
            Assert.True(Math.Abs(ours.R - reference[i][0]) <= 1 && Math.Abs(ours.G - reference[i][1]) <= 1 && Math.Abs(ours.B - reference[i][2]) <= 1,
                $"entry {i}: ours {ours}, matplotlib ({string.Join(",", reference[i])})");
        }
        Assert.Equal(new Rgb(0, 0, 255), Colormap.BlueWhiteRed.MapSigned(-1f));  // against the class
        Assert.Equal(new Rgb(255, 0, 0), Colormap.BlueWhiteRed.MapSigned(1f));   // for it
        Assert.Equal(new Rgb(0, 0, 255), Colormap.BlueWhiteRed.MapSigned(-7f));  // clamped
    }

    [Fact]
    public void A_signed_overlay_blends_both_signs_beyond_the_threshold_and_leaves_the_rest()
    {
        float[] map = [-1f, -0.5f, -0.1f, 0f, 0.15f, 0.5f, 1f];
        var background = new RgbImage(map.Length, 1);
        Array.Fill(background.Pixels, (byte)100);

        var overlay = HeatmapOverlay.Render(background, map, threshold: 0.2f, alpha: 0.5f, signed: true);

        // Independently: LUT entry round((v + 1) / 2 · 255) of matplotlib's bwr, blended half-way, for |v| ≥ 0.2.
        var expected = PythonReference.Run("""
            import sys, numpy as np
            from matplotlib import cm
            out = []
            for v in map(float, sys.argv[1:]):
                if abs(v) < 0.2:
                    out.append((100, 100, 100)); continue
                colour = np.round(np.array(cm.bwr(int(np.floor((v + 1) / 2 * 255 + 0.5)))[:3]) * 255)
                out.append(tuple(int(np.floor(100 + 0.5 * (c - 100) + 0.5)) for c in colour))
            print(' '.join(f'{r},{g},{b}' for r, g, b in out))
            """, map.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray()).Split(' ');

        for (int p = 0; p < map.Length; p++)
        {
            var channels = expected[p].Split(',').Select(int.Parse).ToArray();
            for (int c = 0; c < 3; c++)
                Assert.True(Math.Abs(overlay.Pixels[3 * p + c] - channels[c]) <= 1, $"value {map[p]} channel {c}: ours {overlay.Pixels[3 * p + c]}, reference {channels[c]}");
        }
        Assert.True(overlay.Pixels[2] > overlay.Pixels[0], "−1 is blue");
        Assert.True(overlay.Pixels[3 * 6] > overlay.Pixels[3 * 6 + 2], "+1 is red");
    }
}
