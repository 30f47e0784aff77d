namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// Retinal vessels: four arcades (superior/inferior, temporal/nasal) of arteries and veins leaving
/// the optic disc, each a curving random walk that tapers and branches recursively; and the
/// neovascular tufts of proliferative DR, which reuse the same walk with high tortuosity and a
/// thin constant width.
/// </summary>
internal static class VesselPainter
{
    private sealed record Walk(double X, double Y, double Heading, double TargetHeading, double Width, double Length, int Depth);

    public static void PaintTree(FloatCanvas canvas, RetinaGeometry g, Random rng)
    {
        var arteries = new CoverageLayer(g.Size);
        var veins = new CoverageLayer(g.Size);
        double t = g.TemporalSign;
        double temporal = t > 0 ? 0 : Math.PI;
        double nasal = t > 0 ? Math.PI : 0;
        // (initial heading, heading it bends towards, relative length): temporal arcades curve
        // around the macula; nasal vessels run fairly straight to the nasal rim.
        var arcades = new (double Start, double Target, double Length)[]
        {
            (-Math.PI / 2 + t * 0.35, Unwrap(temporal + t * 0.25, -Math.PI / 2), 1.0),
            (Math.PI / 2 - t * 0.35, Unwrap(temporal - t * 0.25, Math.PI / 2), 1.0),
            (Unwrap(nasal + t * 0.9, -Math.PI / 2), Unwrap(nasal + t * 0.5, -Math.PI / 2), 0.55),
            (Unwrap(nasal - t * 0.9, Math.PI / 2), Unwrap(nasal - t * 0.5, Math.PI / 2), 0.55),
        };
        foreach (var (start, target, length) in arcades)
        {
            foreach (var (layer, width, offset) in new[] { (veins, 3.6, 0.12), (arteries, 2.8, -0.12) })
            {
                double h = start + offset + 0.15 * (rng.NextDouble() - 0.5);
                double x = g.DiscX + Math.Cos(h) * g.DiscRadius * 0.3, y = g.DiscY + Math.Sin(h) * g.DiscRadius * 0.3;
                Grow(layer, g, rng, new Walk(x, y, h, target + offset, width * g.Scale, length * 260 * g.Scale, 3));
            }
        }
        canvas.Composite(veins, new Rgb(125, 24, 18), 0.85f);
        canvas.Composite(arteries, new Rgb(175, 48, 30), 0.8f);
    }

    /// <summary>Stamps a tuft of fine tortuous new vessels around (cx, cy) into <paramref name="layer"/>.</summary>
    public static void StampNeovascularTuft(CoverageLayer layer, RetinaGeometry g, Random rng, double cx, double cy)
    {
        int strands = 12 + rng.Next(7);
        double spread = 12 * g.Scale;
        for (int i = 0; i < strands; i++)
        {
            double x = cx + (rng.NextDouble() - 0.5) * spread, y = cy + (rng.NextDouble() - 0.5) * spread;
            double h = rng.NextDouble() * 2 * Math.PI;
            double length = (16 + 16 * rng.NextDouble()) * g.Scale;
            double step = 0.6 * g.Scale;
            for (double s = 0; s < length; s += step)
            {
                h += (rng.NextDouble() - 0.5) * 0.9;           // high tortuosity: the hallmark of NV
                x += step * Math.Cos(h);
                y += step * Math.Sin(h);
                if (!g.InsideFov(x, y, 3 * g.Scale)) break;
                layer.StampDisc(x, y, 1.3 * g.Scale);
            }
        }
    }

    private static void Grow(CoverageLayer layer, RetinaGeometry g, Random rng, Walk w)
    {
        double x = w.X, y = w.Y, h = w.Heading, width = w.Width;
        double step = 0.7 * g.Scale;
        double bendRate = 0.011 / g.Scale;
        double minWidth = 1.1 * g.Scale;
        double nextBranch = (30 + 40 * rng.NextDouble()) * g.Scale;
        for (double s = 0; s < w.Length; s += step)
        {
            h += (w.TargetHeading - h) * bendRate * step + (rng.NextDouble() - 0.5) * 0.08;
            x += step * Math.Cos(h);
            y += step * Math.Sin(h);
            if (!g.InsideFov(x, y, 2 * g.Scale)) return;
            layer.StampDisc(x, y, width / 2);
            width = Math.Max(minWidth, width * (1 - 0.0012 * step / g.Scale));
            if (w.Depth > 0 && s >= nextBranch)
            {
                nextBranch += (35 + 45 * rng.NextDouble()) * g.Scale;
                double side = rng.Next(2) == 0 ? -1 : 1;
                double bh = h + side * (0.45 + 0.5 * rng.NextDouble());
                Grow(layer, g, rng, new Walk(x, y, bh, bh + side * 0.3, Math.Max(minWidth, width * 0.7), (w.Length - s) * 0.6, w.Depth - 1));
            }
        }
    }

    /// <summary>Expresses <paramref name="angle"/> within π of <paramref name="near"/>, so bending takes the short way round.</summary>
    private static double Unwrap(double angle, double near)
    {
        while (angle - near > Math.PI) angle -= 2 * Math.PI;
        while (angle - near < -Math.PI) angle += 2 * Math.PI;
        return angle;
    }
}
