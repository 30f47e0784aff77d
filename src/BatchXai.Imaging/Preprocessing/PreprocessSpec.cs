namespace BatchXai.Imaging;

public enum TensorLayout
{
    NCHW,
    NHWC,
}

public enum ChannelOrder
{
    RGB,
    BGR,
    /// <summary>One channel: ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), as PIL's "L" mode.</summary>
    GRAY,
}

public enum ResizeMode
{
    /// <summary>Fill Height×Width exactly, changing the aspect ratio if needed.</summary>
    Stretch,
    /// <summary>Keep the aspect ratio; pad with black to Height×Width.</summary>
    Letterbox,
}

/// <summary>
/// How an image becomes one model input sample: crop, resize to Height×Width, then per channel
/// <c>value = (pixel · Scale − Mean[c]) / Std[c]</c> in the given channel order and layout.
/// Mirrors the model manifest's preprocessing block.
/// </summary>
public sealed record PreprocessSpec
{
    public required int Height { get; init; }
    public required int Width { get; init; }
    public TensorLayout Layout { get; init; } = TensorLayout.NCHW;
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.RGB;
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>One value per output channel, or a single value used for every channel.</summary>
    public float[] Mean { get; init; } = [0f];

    /// <summary>One value per output channel, or a single value used for every channel.</summary>
    public float[] Std { get; init; } = [1f];

    /// <summary>Crop fundus photos to the camera's field of view (drop the black surround), centred and square.</summary>
    public bool FundusCrop { get; init; }

    public ResizeMode ResizeMode { get; init; } = ResizeMode.Stretch;

    /// <summary>
    /// The manifest's window (input.window) for DICOM grayscale and 16-bit gray PNG: the model was
    /// trained on images shown so. A run's --window overrides it (<see cref="InputOptions.WindowOver"/>).
    /// </summary>
    public IntensityWindow? Window { get; init; }

    public int Channels => ChannelOrder == ChannelOrder.GRAY ? 1 : 3;

    /// <summary>Floats in one sample: Channels × Height × Width.</summary>
    public int SampleLength => Channels * Height * Width;

    /// <summary>torchvision's ImageNet normalisation, the common default for fine-tuned classifiers.</summary>
    public static PreprocessSpec ImageNet(int size) => new()
    {
        Height = size,
        Width = size,
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Height <= 0 || Width <= 0)
            throw new ArgumentException($"PreprocessSpec.Height/Width must be positive, got {Height}x{Width}");
        if (!Enum.IsDefined(Layout)) throw new ArgumentException($"PreprocessSpec.Layout: unknown value {Layout}");
        if (!Enum.IsDefined(ChannelOrder)) throw new ArgumentException($"PreprocessSpec.ChannelOrder: unknown value {ChannelOrder}");
        if (!Enum.IsDefined(ResizeMode)) throw new ArgumentException($"PreprocessSpec.ResizeMode: unknown value {ResizeMode}");
        if (!float.IsFinite(Scale) || Scale == 0)
            throw new ArgumentException($"PreprocessSpec.Scale must be finite and non-zero, got {Scale}");
        CheckPerChannel(nameof(Mean), Mean, allowZero: true);
        CheckPerChannel(nameof(Std), Std, allowZero: false);
    }

    /// <summary>Mean or Std for output channel <paramref name="channel"/>, broadcasting a single value.</summary>
    public float MeanOf(int channel) => Mean.Length == 1 ? Mean[0] : Mean[channel];

    public float StdOf(int channel) => Std.Length == 1 ? Std[0] : Std[channel];

    private void CheckPerChannel(string field, float[]? values, bool allowZero)
    {
        if (values is null || (values.Length != 1 && values.Length != Channels))
            throw new ArgumentException(
                $"PreprocessSpec.{field} needs 1 or {Channels} values for {ChannelOrder}, got {values?.Length ?? 0}");
        foreach (float v in values)
            if (!float.IsFinite(v) || (!allowZero && v == 0))
                throw new ArgumentException($"PreprocessSpec.{field} has an invalid value {v}");
    }
}
