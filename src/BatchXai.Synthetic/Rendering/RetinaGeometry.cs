namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// Where the anatomy of one synthetic eye sits: the circular field of view, the optic disc on the
/// nasal side and the macula about 2.5 disc diameters temporal to it. Lengths are in pixels of the
/// rendered image; <see cref="Scale"/> converts the reference-size (320 px) constants.
/// </summary>
internal sealed record RetinaGeometry(
    int Size, double Scale, double CentreX, double CentreY, double FovRadius,
    double DiscX, double DiscY, double DiscRadius, double MaculaX, double MaculaY, double MaculaRadius)
{
    /// <summary>Field-of-view radius as a fraction of the image size: the disc nearly fills the frame, as in APTOS crops.</summary>
    public const double FovFraction = 0.47;

    /// <summary>+1 when the macula lies to the right of the optic disc (image x grows), −1 otherwise.</summary>
    public double TemporalSign => Math.Sign(MaculaX - DiscX);

    public static RetinaGeometry Sample(int size, Random rng)
    {
        double s = (double)size / SampleDataOptions.ReferenceSize;
        double c = size / 2.0;
        bool discOnRight = rng.Next(2) == 0;   // right eye vs left eye
        double side = discOnRight ? 1 : -1;
        double discX = c + side * size * (0.26 + 0.04 * rng.NextDouble());
        double discY = c + size * (rng.NextDouble() - 0.5) * 0.08;
        double discR = size * (0.070 + 0.012 * rng.NextDouble());
        double macX = c - side * size * (0.03 + 0.03 * rng.NextDouble());
        double macY = discY + size * 0.02;
        return new RetinaGeometry(size, s, c, c, size * FovFraction, discX, discY, discR, macX, macY, size * 0.075);
    }

    public double DistanceFromCentre(double x, double y) => Math.Sqrt((x - CentreX) * (x - CentreX) + (y - CentreY) * (y - CentreY));

    public bool InsideFov(double x, double y, double margin = 0) => DistanceFromCentre(x, y) <= FovRadius - margin;

    /// <summary>
    /// A lesion site: inside the central 88% of the field (the rim is dark and a lesion there would be
    /// near-invisible) and clear of the optic disc, so that lesions never hide behind the brightest structure.
    /// </summary>
    public (double X, double Y) SampleLesionSite(Random rng, double clearance)
    {
        while (true)
        {
            double r = FovRadius * 0.88 * Math.Sqrt(rng.NextDouble());
            double t = rng.NextDouble() * 2 * Math.PI;
            double x = CentreX + r * Math.Cos(t), y = CentreY + r * Math.Sin(t);
            double dd = Math.Sqrt((x - DiscX) * (x - DiscX) + (y - DiscY) * (y - DiscY));
            if (dd > DiscRadius + clearance) return (x, y);
        }
    }
}
