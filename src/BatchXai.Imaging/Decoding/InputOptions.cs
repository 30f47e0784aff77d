using BatchXai.Core.Methods;
using BatchXai.Core.Options;

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

    public static readonly ParsedOption<IntensityWindow?> WindowSpec = new("window",
        "DICOM grayscale and 16-bit gray PNG/TIFF: display window over modality values (Hounsfield units for CT) or 16-bit samples, e.g. -600,1500 for lung; overrides the manifest's input.window", null, "the manifest's input.window, else the file's VOI LUT or Window Center/Width, else the image's min–max", "center,width",
        text => IntensityWindow.Parse(text));
    public static readonly IntOption FrameSpec = new("frame",
        "DICOM: read only this frame (zero-based) of each multi-frame file; without it every frame is an image of its own, keyed file#frame", 0, 0, 1_000_000);
    public static readonly IntOption OverlaySizeSpec = new("overlay-size",
        "long side in pixels of the overlay PNGs, drawn on the original image (fundus: the cropped photo; DICOM: the windowed frame)", DefaultOverlaySize, 16, MaxOverlaySize);

    /// <summary>Every input option, for the run option catalogue.</summary>
    public static readonly IReadOnlyList<OptionSpec> Options = [WindowSpec, FrameSpec, OverlaySizeSpec];

    /// <summary>
    /// The window an image is read through — the one home of the rule: the run's --window, else the
    /// model manifest's input.window, else (null) the file's own VOI LUT or window, else the image's min–max.
    /// </summary>
    public IntensityWindow? WindowOver(IntensityWindow? manifestWindow) => Window ?? manifestWindow;

    /// <summary>True when the run picks one frame of each multi-frame DICOM file; else every frame is an image of its own (<c>file#frame</c>).</summary>
    public static bool ChoosesFrame(IReadOnlyDictionary<string, string>? options) => options?.ContainsKey(FrameSpec.Name) == true;

    public static InputOptions Of(IReadOnlyDictionary<string, string>? options)
    {
        if (options is null) return Defaults;
        var values = new MethodOptions(options);
        return new InputOptions(values.Get(WindowSpec), values.Get(FrameSpec), values.Get(OverlaySizeSpec));
    }
}
