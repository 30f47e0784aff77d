namespace BatchXai.Core.Metrics;

/// <summary>
/// Pixels ranked most relevant first: by map value, highest first (signed maps: most positive
/// first), ties broken by pixel index so the order — and every curve built on it — is reproducible.
/// </summary>
public static class RelevanceOrder
{
    public static int[] MostRelevantFirst(ReadOnlySpan<float> map)
    {
        var order = new int[map.Length];
        var keys = new float[map.Length];
        for (int i = 0; i < order.Length; i++) { order[i] = i; keys[i] = -map[i]; }
        // Sorting negated values ascending with a stable tie rule: Array.Sort is unstable, so sort (key, index) pairs.
        Array.Sort(order, (a, b) =>
        {
            int byValue = keys[a].CompareTo(keys[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>How many of <paramref name="pixels"/> a fraction covers: round(fraction × pixels).</summary>
    public static int CountOf(double fraction, int pixels) => (int)Math.Round(fraction * pixels, MidpointRounding.AwayFromZero);
}
