namespace BatchXai.Core.Paths;

/// <summary>What an input is compared against: where IG paths start, what occlusion pastes in.</summary>
public enum BaselineKind
{
    /// <summary>An all-black image put through the model's normalisation (default).</summary>
    Black,
    /// <summary>Zeros in the model's input space (mid-grey for mean/std-normalised inputs).</summary>
    Zeros,
    /// <summary>The input under a Gaussian blur of the blur σ (Blur IG's most blurred image).</summary>
    Blur,
    /// <summary>Uniform noise over each channel's valid range (black to white), seeded by the image content.</summary>
    Noise,
}

/// <summary>Builds the baseline image of one input.</summary>
public static class Baseline
{
    /// <summary>Blur IG's default maximum σ, in model-input pixels (the reference implementation's 50).</summary>
    public const double DefaultBlurSigma = 50;

    public static float[] For(BaselineKind kind, ReadOnlySpan<float> input, InputGeometry geometry, double blurSigma = DefaultBlurSigma)
    {
        var baseline = new float[geometry.SampleSize];
        switch (kind)
        {
            case BaselineKind.Black:
                geometry.BlackImage().CopyTo(baseline, 0);
                break;
            case BaselineKind.Zeros:
                break;
            case BaselineKind.Blur:
                new GaussianBlur(geometry).Apply(input, blurSigma, baseline);
                break;
            case BaselineKind.Noise:
                var random = SeededNoise.For(input);
                for (int c = 0; c < geometry.Channels; c++)
                    for (int y = 0; y < geometry.Height; y++)
                        for (int x = 0; x < geometry.Width; x++)
                            baseline[geometry.IndexOf(c, y, x)] = geometry.BlackPixel[c] + (float)random.NextDouble() * geometry.Range(c);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        return baseline;
    }
}

/// <summary>
/// Random numbers seeded by the image itself, so a redelivered batch (or a rerun) draws the same
/// noise and writes the same maps.
/// </summary>
public static class SeededNoise
{
    public static Random For(ReadOnlySpan<float> input, int stream = 0)
    {
        // FNV-1a over the float bits: cheap, and any change to the image changes the draw.
        uint hash = 2166136261u ^ (uint)stream;
        foreach (float v in input) hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(v)) * 16777619u;
        return new Random((int)hash);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double NextGaussian(this Random random)
    {
        double u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
