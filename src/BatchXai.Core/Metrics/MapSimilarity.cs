using BatchXai.Core.Maps;

namespace BatchXai.Core.Metrics;

/// <summary>
/// How alike an original and a randomised-model map are (Adebayo et al. 2018): Spearman's rank
/// correlation of |map|, and SSIM of |map| each scaled by its own maximum to [0, 1].
/// </summary>
public sealed record MapSimilarity(double Spearman, double Ssim)
{
    /// <summary>
    /// A method whose maps keep a Spearman correlation of |map| at least this high once half the weight
    /// layers (from the top) are re-drawn fails the check: its maps do not depend on what the model learned.
    /// </summary>
    public const double FailAbove = 0.5;

    /// <summary>The cascade step the check is judged at: the first with at least half of the <paramref name="totalLayers"/> re-drawn.</summary>
    public static int JudgedStep(IEnumerable<int> steps, int totalLayers) => steps.Order().First(k => 2 * k >= totalLayers);

    public static MapSimilarity Of(ExplanationMap original, ExplanationMap randomised)
    {
        if (original.Height != randomised.Height || original.Width != randomised.Width)
            throw new ArgumentException($"maps of {original.Height}x{original.Width} and {randomised.Height}x{randomised.Width} cannot be compared");
        var a = Absolute(original);
        var b = Absolute(randomised);
        return new MapSimilarity(RankCorrelation.Spearman(a, b), StructuralSimilarity.Of(Scaled(a), Scaled(b), original.Height, original.Width));
    }

    private static float[] Absolute(ExplanationMap map) => map.Values.Select(Math.Abs).ToArray();

    private static float[] Scaled(float[] values)
    {
        float max = values.Length == 0 ? 0 : values.Max();
        return max > 0 && float.IsFinite(max) ? values.Select(v => v / max).ToArray() : new float[values.Length];
    }
}
