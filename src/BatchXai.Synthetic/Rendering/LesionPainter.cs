namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// Paints planted lesions and writes the ground-truth mask from the very coverage that was
/// painted. Sizes are given at the 320-px reference and chosen to survive a 2× downscale to a
/// 160-px model input: a microaneurysm of radius 2.8–3.8 px still covers a few input pixels.
/// Layers are painted (and written to the mask) bottom to top: NV, haemorrhages, MAs, exudates,
/// cotton-wool spots; a later type wins where two overlap.
/// </summary>
internal static class LesionPainter
{
    /// <summary>Coverage at or above which a pixel counts as lesion in the mask (the half-covered rim).</summary>
    private const float MaskThreshold = 0.5f;

    /// <summary>Cotton-wool spots are soft Gaussians; their visible extent reaches further out than half peak.</summary>
    private const float SoftMaskThreshold = 0.35f;

    public static void Paint(FloatCanvas canvas, byte[] mask, RetinaGeometry g, LesionCounts plan, Random rng)
    {
        double k = g.Scale;

        if (plan.Neovascularisations > 0)
        {
            var nv = new CoverageLayer(g.Size);
            for (int i = 0; i < plan.Neovascularisations; i++)
            {
                var (x, y) = rng.Next(2) == 0 ? NearDisc(g, rng) : g.SampleLesionSite(rng, 20 * k);
                VesselPainter.StampNeovascularTuft(nv, g, rng, x, y);
            }
            Apply(canvas, mask, nv, new Rgb(165, 22, 22), 0.95f, LesionType.Neovascularisation, MaskThreshold);
        }

        if (plan.Haemorrhages > 0)
        {
            var haem = new CoverageLayer(g.Size);
            for (int i = 0; i < plan.Haemorrhages; i++)
            {
                var (x, y) = g.SampleLesionSite(rng, 12 * k);
                double r = (5 + 4 * rng.NextDouble()) * k;
                int lobes = 2 + rng.Next(2);                   // blots are irregular: a few overlapping discs
                for (int j = 0; j < lobes; j++)
                {
                    double a = rng.NextDouble() * 2 * Math.PI, off = r * 0.5 * rng.NextDouble();
                    haem.StampDisc(x + off * Math.Cos(a), y + off * Math.Sin(a), r * (0.7 + 0.3 * rng.NextDouble()));
                }
            }
            Apply(canvas, mask, haem, new Rgb(112, 16, 12), 0.9f, LesionType.Haemorrhage, MaskThreshold);
        }

        if (plan.Microaneurysms > 0)
        {
            var ma = new CoverageLayer(g.Size);
            for (int i = 0; i < plan.Microaneurysms; i++)
            {
                var (x, y) = g.SampleLesionSite(rng, 8 * k);
                ma.StampDisc(x, y, (2.8 + rng.NextDouble()) * k);
            }
            Apply(canvas, mask, ma, new Rgb(100, 14, 10), 0.92f, LesionType.Microaneurysm, MaskThreshold);
        }

        if (plan.HardExudates > 0)
        {
            var ex = new CoverageLayer(g.Size);
            for (int i = 0; i < plan.HardExudates; i++)
            {
                var (cx, cy) = g.SampleLesionSite(rng, 15 * k);
                double spread = (8 + 7 * rng.NextDouble()) * k;
                int dots = 5 + rng.Next(6);
                for (int j = 0; j < dots; j++)
                {
                    double a = rng.NextDouble() * 2 * Math.PI, d = spread * Math.Sqrt(rng.NextDouble());
                    ex.StampDisc(cx + d * Math.Cos(a), cy + d * Math.Sin(a), (1.6 + 1.6 * rng.NextDouble()) * k);
                }
            }
            Apply(canvas, mask, ex, new Rgb(248, 222, 95), 0.95f, LesionType.HardExudate, MaskThreshold);
        }

        if (plan.CottonWoolSpots > 0)
        {
            var cws = new CoverageLayer(g.Size);
            for (int i = 0; i < plan.CottonWoolSpots; i++)
            {
                var (cx, cy) = g.SampleLesionSite(rng, 15 * k);
                int puffs = 3 + rng.Next(2);                   // fluffy outline: a few offset Gaussians
                for (int j = 0; j < puffs; j++)
                {
                    double a = rng.NextDouble() * 2 * Math.PI, d = 4 * k * rng.NextDouble();
                    cws.StampGaussian(cx + d * Math.Cos(a), cy + d * Math.Sin(a), (3.5 + 2 * rng.NextDouble()) * k);
                }
            }
            Apply(canvas, mask, cws, new Rgb(238, 228, 198), 0.85f, LesionType.CottonWoolSpot, SoftMaskThreshold);
        }
    }

    private static void Apply(FloatCanvas canvas, byte[] mask, CoverageLayer layer, Rgb colour, float opacity, LesionType type, float threshold)
    {
        canvas.Composite(layer, colour, opacity);
        layer.WriteMask(mask, type, threshold);
    }

    /// <summary>Neovascularisation of the disc (NVD): a site just outside the disc rim.</summary>
    private static (double X, double Y) NearDisc(RetinaGeometry g, Random rng)
    {
        double a = rng.NextDouble() * 2 * Math.PI;
        double d = g.DiscRadius + (6 + 8 * rng.NextDouble()) * g.Scale;
        double x = g.DiscX + d * Math.Cos(a), y = g.DiscY + d * Math.Sin(a);
        return g.InsideFov(x, y, 20 * g.Scale) ? (x, y) : g.SampleLesionSite(rng, 20 * g.Scale);
    }
}
