namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// The lesion-free eye: black surround, orange-red field of view with vignetting and smooth
/// choroidal texture, the bright yellowish optic disc with its paler cup, and the darker macula.
/// Colours are jittered per image so that brightness and tint carry no information about the grade.
/// </summary>
internal static class FundusBackgroundPainter
{
    public static void Paint(FloatCanvas canvas, RetinaGeometry g, Random rng)
    {
        var baseColour = new Rgb(
            (float)(195 + 30 * rng.NextDouble()),
            (float)(72 + 30 * rng.NextDouble()),
            (float)(28 + 22 * rng.NextDouble()));
        double brightness = 0.88 + 0.2 * rng.NextDouble();
        var coarse = new ValueNoise(rng, g.Size, 40 * g.Scale);
        var fine = new ValueNoise(rng, g.Size, 12 * g.Scale);

        for (int y = 0; y < g.Size; y++)
        {
            for (int x = 0; x < g.Size; x++)
            {
                double r = g.DistanceFromCentre(x + 0.5, y + 0.5) / g.FovRadius;
                if (r >= 1 + 1.0 / g.FovRadius) continue;             // black surround stays exactly 0
                double rim = Math.Clamp((1 - r) * g.FovRadius + 0.5, 0, 1); // one-pixel anti-aliased edge
                double vignette = 1 - 0.55 * Math.Pow(r, 2.6);
                double texture = 1 + 0.07 * coarse.At(x, y) + 0.035 * fine.At(x, y);
                canvas.Set(y * g.Size + x, baseColour.Scale(brightness * vignette * texture * rim));
            }
        }

        var macula = new CoverageLayer(g.Size);
        macula.StampGaussian(g.MaculaX, g.MaculaY, g.MaculaRadius * 0.55);
        canvas.Darken(macula, (float)(0.30 + 0.12 * rng.NextDouble()));

        var disc = new CoverageLayer(g.Size);
        disc.StampDisc(g.DiscX, g.DiscY, g.DiscRadius);
        canvas.Composite(disc, new Rgb(242, 200, 120), 0.85f);
        var cup = new CoverageLayer(g.Size);
        cup.StampGaussian(g.DiscX + g.TemporalSign * g.DiscRadius * 0.15, g.DiscY, g.DiscRadius * 0.35);
        canvas.Composite(cup, new Rgb(255, 238, 190), 0.8f);
    }
}
