using System.Globalization;

namespace BatchXai.Imaging;

/// <summary>
/// How a run's images are read beyond the manifest, from the run's options: <c>window</c>
/// ("center,width" over modality values, e.g. "-600,1500" for lung CT) and <c>frame</c> (which frame
/// of multi-frame DICOM files, zero-based), and <c>overlay-size</c> (the long side of the overlay
/// PNGs drawn on the original image, default 512). A bad value is an error naming the option.
/// </summary>
public sealed record InputOptions(IntensityWindow? Window, int Frame, int OverlaySize = InputOptions.DefaultOverlaySize)
{
    public const int DefaultOverlaySize = 512, MaxOverlaySize = 8192;
    public static readonly InputOptions Defaults = new(null, 0);

    public static InputOptions Of(IReadOnlyDictionary<string, string>? options)
    {
        if (options is null) return Defaults;
        IntensityWindow? window = null;
        if (options.TryGetValue("window", out var text))
        {
            try { window = IntensityWindow.Parse(text); }
            catch (ArgumentException e) { throw new ArgumentException($"option --window: {e.Message}", e); }
        }
        int frame = 0;
        if (options.TryGetValue("frame", out var f) && (!int.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out frame) || frame < 0))
            throw new ArgumentException($"option --frame is '{f}' but must be a whole number from 0");
        int overlay = DefaultOverlaySize;
        if (options.TryGetValue("overlay-size", out var o)
            && (!int.TryParse(o, NumberStyles.Integer, CultureInfo.InvariantCulture, out overlay) || overlay < 16 || overlay > MaxOverlaySize))
            throw new ArgumentException($"option --overlay-size is '{o}' but must be a whole number from 16 to {MaxOverlaySize}");
        return new InputOptions(window, frame, overlay);
    }
}
