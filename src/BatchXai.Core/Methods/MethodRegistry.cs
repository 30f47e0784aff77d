namespace BatchXai.Core.Methods;

/// <summary>
/// The explanation methods users can name in <c>--methods</c>, one line each. Each entry is the
/// method's own <see cref="MethodDescriptor"/>: its options are declared in its file, and the CLI,
/// the API's validation and README's table are built from these entries.
/// </summary>
public static class MethodRegistry
{
    public static readonly IReadOnlyList<MethodDescriptor> All =
    [
        new("crm", "Class-selective Relevance Mapping: drop in the output-node SSE when each feature cell is removed; about one forward pass", () => new CrmMethod()),
        new("cam", "Class Activation Map of a GAP → linear head; free with the forward pass", () => new CamMethod()),
        new("gradcam", "Grad-CAM: target-layer activations weighted by their mean gradient; one gradient pass", () => new GradCamMethod()),
        new("gradcam++", "Grad-CAM++: higher-order gradient weights; one gradient pass", () => new GradCamPlusPlusMethod()),
        new("saliency", "max over channels of |∂S_c/∂x|; one gradient pass", () => new SaliencyMethod()),
        new("gradxinput", "gradient × input, channel sum; one gradient pass", () => new SaliencyMethod(timesInput: true)) { Signed = true },
        SmoothGradMethod.Descriptor,
        new("guidedbp", "guided backpropagation (ReLU passes positive gradients only); one gradient pass", () => new GuidedBackpropMethod()),
        IntegratedGradientsMethod.Descriptor,
        BlurIntegratedGradientsMethod.Descriptor,
        GuidedIntegratedGradientsMethod.Descriptor,
        OcclusionMethod.Descriptor,
        LrpMethod.Descriptor,
        DeepLiftMethod.Descriptor,
        GradientShapMethod.Descriptor,
        LimeMethod.Descriptor,
        KernelShapMethod.Descriptor,
        XraiMethod.Descriptor,
        new(ClearMethod.MethodName, "CLEAR: class-contrastive back-projection of every class's response (models with a linear head)", () => new ClearMethod()),
    ];

    private static readonly Dictionary<string, MethodDescriptor> ByName = All.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Whether the named method's maps are signed (<see cref="MethodDescriptor.Signed"/>); false for a name no longer known.</summary>
    public static bool IsSigned(string name) => ByName.TryGetValue(name, out var descriptor) && descriptor.Signed;

    /// <summary>The method named <paramref name="name"/>, or an error listing the known ones.</summary>
    public static MethodDescriptor Find(string name) =>
        ByName.TryGetValue(name, out var descriptor) ? descriptor : throw new ArgumentException($"unknown method '{name}'; choose from {string.Join(", ", Names)}");

    /// <summary>Resolves a comma-separated list such as "crm,cam"; unknown names are an error listing the known ones.</summary>
    public static IReadOnlyList<IExplanationMethod> Resolve(string commaSeparated, MethodOptions? options = null)
    {
        var names = commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"no methods given; choose from {string.Join(", ", Names)}");
        return names.Distinct(StringComparer.OrdinalIgnoreCase).Select(name => Find(name).Create(options ?? MethodOptions.Defaults)).ToList();
    }

    /// <summary>
    /// The run's methods for a model with this head: resolved with the run's options, each checked
    /// against the head. The one place runs are validated (coordinator, embedded runner and worker
    /// alike); an ArgumentException names the method or option at fault.
    /// </summary>
    public static IReadOnlyList<IExplanationMethod> ResolveFor(Heads.HeadKind head, string modelName, IReadOnlyList<string> names, MethodOptions options)
    {
        var methods = Resolve(string.Join(',', names), options);
        var unsupported = methods.Select(m => m.WhyUnsupported(head)).OfType<string>().ToList();
        if (unsupported.Count > 0) throw new ArgumentException($"model {modelName}: {string.Join("; ", unsupported)}");
        return methods;
    }
}
