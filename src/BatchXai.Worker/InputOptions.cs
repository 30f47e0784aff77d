using System.Globalization;
using BatchXai.Imaging;

namespace BatchXai.Worker;

/// <summary>
/// How a run's images are read beyond the manifest, from the run's options: <c>window</c>
/// ("center,width" over modality values, e.g. "-600,1500" for lung CT) and <c>frame</c> (which frame
/// of multi-frame DICOM files, zero-based). A bad value is an error naming the option.
/// </summary>
public sealed record InputOptions(IntensityWindow? Window, int Frame)
{
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
        return new InputOptions(window, frame);
    }
}
