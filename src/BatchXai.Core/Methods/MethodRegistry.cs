namespace BatchXai.Core.Methods;

/// <summary>The explanation methods users can name in <c>--methods</c>, one line each.</summary>
public static class MethodRegistry
{
    private static readonly Dictionary<string, Func<MethodOptions, IExplanationMethod>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["crm"] = _ => new CrmMethod(),
        ["cam"] = _ => new CamMethod(),
        ["gradcam"] = _ => new GradCamMethod(),
        ["gradcam++"] = _ => new GradCamPlusPlusMethod(),
        ["saliency"] = _ => new SaliencyMethod(),
        ["gradxinput"] = _ => new SaliencyMethod(timesInput: true),
        ["smoothgrad"] = SmoothGradMethod.From,
        ["guidedbp"] = _ => new GuidedBackpropMethod(),
        ["ig"] = IntegratedGradientsMethod.From,
        ["blurig"] = BlurIntegratedGradientsMethod.From,
        ["guidedig"] = GuidedIntegratedGradientsMethod.From,
        ["occlusion"] = OcclusionMethod.From,
        [ClearMethod.MethodName] = _ => new ClearMethod(),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Resolves a comma-separated list such as "crm,cam"; unknown names are an error listing the known ones.</summary>
    public static IReadOnlyList<IExplanationMethod> Resolve(string commaSeparated, MethodOptions? options = null)
    {
        var names = commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"no methods given; choose from {string.Join(", ", Names)}");
        var methods = new List<IExplanationMethod>();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!Factories.TryGetValue(name, out var make))
                throw new ArgumentException($"unknown method '{name}'; choose from {string.Join(", ", Names)}");
            methods.Add(make(options ?? MethodOptions.Defaults));
        }
        return methods;
    }
}
