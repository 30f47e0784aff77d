namespace BatchXai.Core.Audit.Spray;

/// <summary>
/// SpRAy's settings and when one of its clusters becomes a candidate shortcut: a cluster other than
/// the class's main (largest) one that is small (at most <see cref="MaxShare"/> of the class, at
/// least <see cref="MinClusterSize"/> images), tight (its maps spread around their mean at most
/// <see cref="MaxRelativeSpread"/> times as much as the main cluster's do) and distant (its mean map
/// at least <see cref="MinRelativeDistance"/> times its own spread from the main mean map: further
/// from the class's usual map than its members are from each other), in a class whose spectrum
/// separates (eigengap ≥ <see cref="MinEigengap"/>). Distances are between unit-length grid maps
/// (<see cref="MapGrid"/>): √2 apart when they share no weight.
/// </summary>
public sealed record SprayThresholds
{
    /// <summary>Side of the grid maps are averaged to before comparing.</summary>
    public int GridSide { get; init; } = MapGrid.DefaultSide;

    /// <summary>k of the k-nearest-neighbour affinity.</summary>
    public int Neighbours { get; init; } = 10;

    /// <summary>The largest number of clusters the eigengap may choose.</summary>
    public int MaxClusters { get; init; } = 8;

    /// <summary>Classes with fewer images are not clustered.</summary>
    public int MinImages { get; init; } = 12;

    public int Seed { get; init; } = 1;

    public int MinClusterSize { get; init; } = 3;

    public double MaxShare { get; init; } = 0.35;

    public double MaxRelativeSpread { get; init; } = 0.75;

    public double MinRelativeDistance { get; init; } = 1.5;

    public double MinEigengap { get; init; } = 0.05;

    /// <summary>Images listed as examples of a cluster (those nearest its mean map).</summary>
    public int ExampleImages { get; init; } = 6;
}
