using BatchXai.Core.Options;

namespace BatchXai.Core.Methods;

/// <summary>
/// What users see of a method before it runs: the name they select it by, one line on what it
/// does and costs, the options it reads (declared once, in the method's file), and how to make it.
/// </summary>
public sealed record MethodDescriptor(string Name, string Summary, IReadOnlyList<OptionSpec> Options, Func<MethodOptions, IExplanationMethod> Create)
{
    /// <summary>A method with no options.</summary>
    public MethodDescriptor(string name, string summary, Func<IExplanationMethod> create) : this(name, summary, [], _ => create()) { }

    /// <summary>
    /// True when the method's maps carry a sign: positive values speak for the target class,
    /// negative ones against it (IG, gradient × input, LRP, DeepLIFT, occlusion, LIME, SHAP).
    /// Signed maps are stored as they are, drawn in a diverging colour map, averaged signed per class,
    /// and their ROI is taken on the positive part; unsigned maps (magnitudes, CAM-like maps) are
    /// drawn from zero up. README, "Signed maps".
    /// </summary>
    public bool Signed { get; init; }
}
