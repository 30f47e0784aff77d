namespace BatchXai.Core.Metrics;

/// <summary>Builds perturbed copies of a sample: every channel of chosen pixels taken from another image.</summary>
public static class PixelPerturbation
{
    /// <summary>
    /// Writes <paramref name="from"/> with the pixels <paramref name="order"/>[0..count) replaced (all
    /// channels) by <paramref name="to"/>'s.
    /// </summary>
    public static void Replace(ReadOnlySpan<float> from, ReadOnlySpan<float> to, ReadOnlySpan<int> order, int count, InputGeometry geometry, Span<float> destination)
    {
        from.CopyTo(destination);
        for (int k = 0; k < count; k++)
        {
            int p = order[k], y = p / geometry.Width, x = p % geometry.Width;
            for (int c = 0; c < geometry.Channels; c++)
            {
                int i = geometry.IndexOf(c, y, x);
                destination[i] = to[i];
            }
        }
    }
}
