using BatchXai.Core.Methods;
using BatchXai.Core.Options;

namespace BatchXai.Core.Metrics;

/// <summary>Which per-image metrics a run computes.</summary>
[Flags]
public enum FaithfulnessMetric
{
    None = 0,
    /// <summary>Deletion curve (Petsiuk et al. 2018): most relevant pixels first set to the black baseline.</summary>
    Deletion = 1,
    /// <summary>Insertion curve: most relevant pixels first revealed on a blurred copy.</summary>
    Insertion = 2,
    /// <summary>ROAD (Rong et al. 2022): MoRF and LeRF removal with noisy linear imputation.</summary>
    Road = 4,
    /// <summary>Against user masks: pointing game, energy inside the mask, IoU of the 20% ROI.</summary>
    Pointing = 8,
    /// <summary>Sanity check (Adebayo et al. 2018): cascading model-parameter randomisation on a sample of images per class.</summary>
    Randomization = 16,
}

/// <summary>
/// The metric options of a run (<c>--metrics deletion,insertion,road,pointing</c>, <c>--metric-steps</c>,
/// <c>--pointing-tolerance</c>), carried with the method options; a run that names none computes none.
/// </summary>
/// <param name="SanityPerClass">randomization: images per target class sampled from each batch checked.</param>
/// <param name="SanityBatches">randomization: batches checked (those with index below it; the first by default).</param>
/// <param name="SanitySteps">randomization: cascade points besides the logits layer alone (evenly spaced down to every layer).</param>
public sealed record FaithfulnessOptions(FaithfulnessMetric Metrics, int Steps = FaithfulnessOptions.DefaultSteps, int PointingTolerance = MaskAgreement.DefaultTolerance,
    int SanityPerClass = 2, int SanityBatches = 1, int SanitySteps = 4)
{
    public const int DefaultSteps = 20;

    public static readonly FlagsOption<FaithfulnessMetric> MetricsSpec = new("metrics", "per-image metrics of every method's maps",
        new Dictionary<string, FaithfulnessMetric> { ["randomisation"] = FaithfulnessMetric.Randomization });
    public static readonly IntOption StepsSpec = new("metric-steps", "perturbation steps K of the deletion and insertion curves (K+1 points each)", DefaultSteps, 2, 1000);
    public static readonly IntOption ToleranceSpec = new("pointing-tolerance", "pointing game: how far (input pixels) the map's maximum may lie from the mask",
        MaskAgreement.DefaultTolerance, 0, 1000);
    public static readonly IntOption SanityPerClassSpec = new("sanity-per-class", "randomization check: images per target class sampled from each checked batch", 2, 1, 1000);
    public static readonly IntOption SanityBatchesSpec = new("sanity-batches", "randomization check: batches checked, the first N", 1, 1, 1_000_000);
    public static readonly IntOption SanityStepsSpec = new("sanity-steps", "randomization check: cascade points below the logits layer, evenly spaced down to every layer", 4, 1, 1000);

    /// <summary>Every metric option, for the run option catalogue.</summary>
    public static readonly IReadOnlyList<OptionSpec> Options = [MetricsSpec, StepsSpec, ToleranceSpec, SanityPerClassSpec, SanityBatchesSpec, SanityStepsSpec];

    /// <summary>Insertion's start: the input under a Gaussian blur of this σ in input pixels (Petsiuk et al.'s σ = 5).</summary>
    public const double InsertionBlurSigma = 5;

    /// <summary>ROAD's removal fractions (the reference implementation's 10%, 20%, …, 90%).</summary>
    public static readonly double[] RoadFractions = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    public static readonly FaithfulnessOptions Off = new(FaithfulnessMetric.None);

    public bool Any => Metrics != FaithfulnessMetric.None;

    /// <summary>True when any per-image metric (all but the randomisation check) is asked for.</summary>
    public bool AnyPerImage => (Metrics & ~FaithfulnessMetric.Randomization) != FaithfulnessMetric.None;

    public bool Has(FaithfulnessMetric metric) => (Metrics & metric) != 0;

    /// <summary>True when a metric needs forward passes (all but the mask metrics).</summary>
    public bool NeedsScores => Has(FaithfulnessMetric.Deletion) || Has(FaithfulnessMetric.Insertion) || Has(FaithfulnessMetric.Road);

    public static FaithfulnessOptions From(IReadOnlyDictionary<string, string>? values)
    {
        var options = new MethodOptions(values);
        var metrics = options.Get(MetricsSpec);
        if (metrics == FaithfulnessMetric.None) return Off;
        return new FaithfulnessOptions(metrics, options.Get(StepsSpec), options.Get(ToleranceSpec),
            options.Get(SanityPerClassSpec), options.Get(SanityBatchesSpec), options.Get(SanityStepsSpec));
    }
}
