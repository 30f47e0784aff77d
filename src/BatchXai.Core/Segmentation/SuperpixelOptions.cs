using BatchXai.Core.Methods;
using BatchXai.Core.Options;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Segmentation;

/// <summary>
/// The superpixels lime and kernelshap switch on and off, declared once here: SLIC over the model
/// input, and what a switched-off superpixel shows.
/// </summary>
public sealed record SuperpixelOptions(int Count, double Compactness, BaselineKind Fill)
{
    public static readonly IntOption CountOption = new("superpixels", "about how many SLIC superpixels (lime, kernelshap)", 50, 2, 2000);
    public static readonly NumberOption CompactnessOption = new("superpixel-compactness",
        "SLIC compactness m: higher gives squarer superpixels, lower follows colour edges (colours on a 0–100 scale)", 10, 0.01, 1000);
    public static readonly ChoiceOption<BaselineKind> FillOption = new("superpixel-fill", "what a switched-off superpixel shows (lime, kernelshap)", BaselineKind.Black);

    public static readonly IReadOnlyList<OptionSpec> All = [CountOption, CompactnessOption, FillOption];

    public static SuperpixelOptions From(MethodOptions options) => new(options.Get(CountOption), options.Get(CompactnessOption), options.Get(FillOption));

    /// <summary>The superpixels of one model-input sample.</summary>
    public Segments Segment(ReadOnlySpan<float> sample, InputGeometry geometry) =>
        Slic.Segment(SegmentationImage.FromInput(sample, geometry, Slic.ColourTop), Count, Compactness);
}
