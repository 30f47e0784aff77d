using BatchXai.Core.Maps;

namespace BatchXai.Tests.Audit;

/// <summary>
/// Maps as a grader's would look on a fundus: weight on two to four lesions scattered over the
/// retina, or (a shortcut) most weight on one fixed spot with a faint lesion beside it.
/// </summary>
internal static class ConstructedMaps
{
    public const int Side = 160;
    public static readonly (double X, double Y) Spot = (118, 42);

    public static ExplanationMap Map(Random rng, bool shortcut)
    {
        var blobs = new List<(double X, double Y, double Sigma, double Weight)>();
        int lesions = shortcut ? 1 : 2 + rng.Next(3);
        for (int i = 0; i < lesions; i++)
        {
            double angle = rng.NextDouble() * 2 * Math.PI, radius = Math.Sqrt(rng.NextDouble()) * 60;
            blobs.Add((80 + radius * Math.Cos(angle), 80 + radius * Math.Sin(angle), 5 + rng.NextDouble() * 6, shortcut ? 0.3 : 0.5 + rng.NextDouble() * 0.5));
        }
        if (shortcut) blobs.Add((Spot.X + rng.NextDouble() * 2 - 1, Spot.Y + rng.NextDouble() * 2 - 1, 6, 1.0));
        var values = new float[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                values[y * Side + x] = (float)blobs.Sum(b => b.Weight * Math.Exp(-((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (2 * b.Sigma * b.Sigma)));
        return new ExplanationMap(Side, Side, values);
    }

}
