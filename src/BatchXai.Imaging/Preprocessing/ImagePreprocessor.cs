namespace BatchXai.Imaging;

/// <summary>
/// Turns decoded images into model input per a <see cref="PreprocessSpec"/>. Thread-safe: scratch
/// buffers come from the shared array pool, and normalisation uses a lookup table built once.
/// </summary>
public sealed class ImagePreprocessor
{
    // BT.601 luma weights, as PIL's convert("L").
    private const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    /// <summary>[output channel × 256]: the normalised value of each 8-bit level (RGB/BGR only).</summary>
    private readonly float[] _levels;

    public ImagePreprocessor(PreprocessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        _levels = new float[spec.Channels * 256];
        for (int c = 0; c < spec.Channels; c++)
            for (int v = 0; v < 256; v++)
                _levels[c * 256 + v] = Normalise(v, c);
    }

    public PreprocessSpec Spec { get; }

    /// <summary>Crops (fundus option), pads (letterbox) and resizes to the model's input size.</summary>
    public PreparedImage Prepare(RgbImage source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var region = PixelRect.Of(source);
        if (Spec.FundusCrop)
            region = (FundusCrop.FindForeground(source) ?? region).ExpandToAspect(1.0);
        if (Spec.ResizeMode == ResizeMode.Letterbox)
            region = region.ExpandToAspect((double)Spec.Width / Spec.Height);

        var resized = Resampler.Resize(source, region, Spec.Width, Spec.Height);
        return new PreparedImage(resized, region, source.Width, source.Height);
    }

    /// <summary>
    /// As <see cref="Prepare(RgbImage)"/>; a high-bit-depth image is resized at full precision
    /// (the crop is found on its 8-bit pixels) and its 8-bit prepared image is the rounding of that.
    /// </summary>
    public PreparedImage Prepare(DecodedImage source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var prepared = Prepare(source.Pixels);
        if (source.Levels is not { } levels) return prepared;
        var resized = Resampler.Resize(levels, prepared.SourceRegion, Spec.Width, Spec.Height);
        return prepared with { Image = resized.ToRgb(), Levels = resized };
    }

    /// <summary>Writes one sample (Channels × Height × Width floats) in the spec's layout, order and normalisation.</summary>
    public void WriteTensor(PreparedImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = image.Image;
        if (pixels.Width != Spec.Width || pixels.Height != Spec.Height)
            throw new ArgumentException(
                $"prepared image is {pixels.Width}x{pixels.Height}, the spec wants {Spec.Width}x{Spec.Height}", nameof(image));
        if (destination.Length != Spec.SampleLength)
            throw new ArgumentException($"destination holds {destination.Length} floats, one sample needs {Spec.SampleLength}", nameof(destination));

        if (image.Levels is { } levels) WriteLevels(levels, destination);
        else if (Spec.ChannelOrder == ChannelOrder.GRAY) WriteLuma(pixels.Pixels, destination);
        else WriteColour(pixels.Pixels, destination);
    }

    /// <summary>Full precision: value = (level · Scale − Mean[c]) / Std[c], gray replicated to colour, colour to luma for a gray model.</summary>
    private void WriteLevels(LevelImage image, Span<float> destination)
    {
        var levels = image.Levels;
        int planeSize = Spec.Width * Spec.Height;
        if (Spec.ChannelOrder == ChannelOrder.GRAY)
        {
            for (int p = 0; p < planeSize; p++)
                destination[p] = Normalise(image.Channels == 1 ? levels[p] : LumaR * levels[3 * p] + LumaG * levels[3 * p + 1] + LumaB * levels[3 * p + 2], 0);
            return;
        }
        bool planar = Spec.Layout == TensorLayout.NCHW;
        bool bgr = Spec.ChannelOrder == ChannelOrder.BGR;
        for (int p = 0; p < planeSize; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float level = image.Channels == 1 ? levels[p] : levels[3 * p + (bgr ? 2 - c : c)];
                destination[planar ? c * planeSize + p : 3 * p + c] = Normalise(level, c);
            }
        }
    }

    private void WriteColour(byte[] rgb, Span<float> destination)
    {
        int planeSize = Spec.Width * Spec.Height;
        bool planar = Spec.Layout == TensorLayout.NCHW;
        bool bgr = Spec.ChannelOrder == ChannelOrder.BGR;
        var levels = _levels.AsSpan();
        for (int p = 0; p < planeSize; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                byte value = rgb[3 * p + (bgr ? 2 - c : c)];
                destination[planar ? c * planeSize + p : 3 * p + c] = levels[c * 256 + value];
            }
        }
    }

    private void WriteLuma(byte[] rgb, Span<float> destination)
    {
        // One channel, so NCHW and NHWC coincide.
        for (int p = 0; p < destination.Length; p++)
        {
            float luma = LumaR * rgb[3 * p] + LumaG * rgb[3 * p + 1] + LumaB * rgb[3 * p + 2];
            destination[p] = Normalise(luma, 0);
        }
    }

    private float Normalise(float pixel, int channel) => (pixel * Spec.Scale - Spec.MeanOf(channel)) / Spec.StdOf(channel);
}
