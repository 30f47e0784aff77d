using BatchXai.Core.Metrics;

namespace BatchXai.Core.Audit.Causal;

/// <summary>
/// Masks a suspect region on one model input. Outside the field of view the model's black baseline
/// stands in (it is what a fundus camera's surround is); inside it, a black patch would be a new
/// artefact, so a hot region's pixels are imputed from their surround with ROAD's linear imputation
/// (<see cref="NoisyLinearImputer"/>, without noise: the check is deterministic), which paints
/// retina where a ring or a stamp was. The colour probe scales each channel inside the field of view
/// (in pixel units, [0, 1] from black to white) so that the channels' means stand in the target
/// colour's proportions, their sum (the image's brightness) kept: a cast tied to a class goes, the
/// image's brightness and structure stay.
/// </summary>
public static class RegionMask
{
    /// <returns>The share of the masked pixels that lie inside the field of view (all of them for the colour probe).</returns>
    public static double Apply(ReadOnlySpan<float> input, SuspectRegion region, FieldOfView fov, InputGeometry geometry, ReadOnlySpan<double> targetColour,
        Span<float> destination)
    {
        if (fov.Height != geometry.Height || fov.Width != geometry.Width)
            throw new ArgumentException($"field of view {fov.Width}x{fov.Height} does not match the model input {geometry.Width}x{geometry.Height}", nameof(fov));
        input.CopyTo(destination);
        if (region.Kind == SuspectRegionKind.Colour)
        {
            ScaleColour(destination, fov, geometry, targetColour);
            return 1;
        }
        int h = geometry.Height, w = geometry.Width, inside = 0, masked = 0;
        var impute = new bool[h * w];
        var frame = new FrameRegions(h, w);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (!Covers(region, frame, x, y, h, w)) continue;
                masked++;
                if (fov.Contains(x, y))
                {
                    if (region.Kind != SuspectRegionKind.ClusterHotRegion) continue; // corners and the surround mask only what lies outside
                    impute[y * w + x] = true;
                    inside++;
                }
                else
                    for (int c = 0; c < geometry.Channels; c++) destination[geometry.IndexOf(c, y, x)] = geometry.BlackPixel[c];
            }
        if (inside > 0)
        {
            var blacked = destination.ToArray();
            NoisyLinearImputer.Impute(blacked, impute, geometry, destination, noise: 0);
        }
        return masked == 0 ? 0 : (double)inside / masked;
    }

    private static bool Covers(SuspectRegion region, FrameRegions frame, int x, int y, int h, int w) => region.Kind switch
    {
        SuspectRegionKind.OutsideFieldOfView => true,
        SuspectRegionKind.Corner => frame.CornerOf(x, y) == region.Corner,
        SuspectRegionKind.ClusterHotRegion => region.Box is { } box && x + 0.5 >= box.X0 * w && x + 0.5 < box.X1 * w && y + 0.5 >= box.Y0 * h && y + 0.5 < box.Y1 * h,
        _ => false,
    };

    /// <summary>Mean colour inside the field of view, per channel, in pixel units (0 black, 1 white).</summary>
    public static double[] MeanColour(ReadOnlySpan<float> input, FieldOfView fov, InputGeometry geometry)
    {
        var sum = new double[geometry.Channels];
        int count = 0;
        for (int y = 0; y < geometry.Height; y++)
            for (int x = 0; x < geometry.Width; x++)
            {
                if (!fov.Contains(x, y)) continue;
                count++;
                for (int c = 0; c < geometry.Channels; c++) sum[c] += Unit(input[geometry.IndexOf(c, y, x)], geometry, c);
            }
        for (int c = 0; c < sum.Length; c++) sum[c] = count == 0 ? 0 : sum[c] / count;
        return sum;
    }

    private static void ScaleColour(Span<float> sample, FieldOfView fov, InputGeometry geometry, ReadOnlySpan<double> target)
    {
        if (target.Length != geometry.Channels) throw new ArgumentException($"target colour has {target.Length} channels, the model {geometry.Channels}", nameof(target));
        var mean = MeanColour(sample, fov, geometry);
        double meanSum = mean.Sum(), targetSum = 0;
        foreach (double t in target) targetSum += t;
        // gain_c = (t_c / Σt) / (m_c / Σm): the means take the target's proportions and keep their sum.
        var gain = new double[mean.Length];
        for (int c = 0; c < gain.Length; c++) gain[c] = mean[c] > 1e-6 && targetSum > 1e-6 ? target[c] / targetSum * meanSum / mean[c] : 1;
        for (int y = 0; y < geometry.Height; y++)
            for (int x = 0; x < geometry.Width; x++)
            {
                if (!fov.Contains(x, y)) continue;
                for (int c = 0; c < geometry.Channels; c++)
                {
                    int i = geometry.IndexOf(c, y, x);
                    sample[i] = (float)(geometry.BlackPixel[c] + Math.Clamp(Unit(sample[i], geometry, c) * gain[c], 0, 1) * geometry.Range(c));
                }
            }
    }

    private static double Unit(float value, InputGeometry geometry, int channel) => (value - geometry.BlackPixel[channel]) / geometry.Range(channel);
}
