using BatchXai.Contracts;
using BatchXai.Core.Methods;
using BatchXai.Core.Metrics;
using BatchXai.Core.Options;
using BatchXai.Imaging;

namespace BatchXai.Coordinator;

/// <summary>
/// One run option as users set it (<c>--ig-rule</c>): every declaration of that name and who reads
/// it. A flag several methods read (ig-rule: ig and blurig) is one entry; their defaults may differ.
/// </summary>
public sealed record RunOption(string Name, IReadOnlyList<string> UsedBy, IReadOnlyList<OptionSpec> Declarations)
{
    public string Help => Declarations[0].Help;
    public string RangeText => Declarations[0].RangeText;

    /// <summary>"32", or "trapezoid for ig, gauss-legendre for blurig" when the readers' defaults differ.</summary>
    public string DefaultText => Declarations.Select(d => d.DefaultText).Distinct().Count() == 1
        ? Declarations[0].DefaultText
        : string.Join(", ", Declarations.Select((d, i) => $"{d.DefaultText} for {UsedBy[i]}"));

    /// <summary>The flag's help line: who reads it, what it does, its values and default.</summary>
    public string Description => $"{string.Join(", ", UsedBy.Distinct())}: {Help} ({RangeText}; default {DefaultText})";

    /// <summary>Throws an ArgumentException naming the option when a reader would refuse <paramref name="text"/>.</summary>
    public void Check(string text)
    {
        foreach (var declaration in Declarations) declaration.Check(text);
    }
}

/// <summary>
/// Every option a run takes, from the declarations beside the code that reads them: the methods'
/// (<see cref="MethodRegistry.All"/>), the metrics' (<see cref="FaithfulnessOptions"/>), the input
/// pipeline's (<see cref="InputOptions"/>), the class views' selection, the multi-label finding threshold and the audit's causal check. The CLI flags of
/// <c>run</c> and <c>submit</c>, the coordinator's validation of a request (embedded runs and
/// POST /runs alike) and README's option table are all built from this one list.
/// </summary>
public static class RunOptionCatalogue
{
    public static readonly IReadOnlyList<RunOption> All = MethodRegistry.All
        .SelectMany(method => method.Options.Select(spec => (Owner: method.Name, Spec: spec)))
        .Concat(FaithfulnessOptions.Options.Select(spec => (Owner: "metrics", Spec: spec)))
        .Concat(InputOptions.Options.Select(spec => (Owner: "input", Spec: spec)))
        .Append((Owner: "class views", Spec: ClassSelectionOption.Spec))
        .Append((Owner: "multi-label", Spec: (OptionSpec)FindingThresholdOption.Spec))
        .Concat(Core.Audit.Causal.CausalCheckOptions.All.Select(spec => (Owner: "audit", Spec: spec)))
        .GroupBy(d => d.Spec.Name, StringComparer.Ordinal)
        .Select(g => new RunOption(g.Key, [.. g.Select(d => d.Owner)], [.. g.Select(d => d.Spec)]))
        .ToList();

    private static readonly Dictionary<string, RunOption> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>
    /// Checks every option a request sets: a name no declaration reads, or a value a reader would
    /// refuse, is an ArgumentException naming the option.
    /// </summary>
    public static void Check(IReadOnlyDictionary<string, string>? values)
    {
        if (values is null) return;
        foreach (var (name, text) in values)
        {
            if (!ByName.TryGetValue(name, out var option))
                throw new ArgumentException($"unknown option --{name}; run options are: {string.Join(", ", All.Select(o => o.Name))}");
            option.Check(text);
        }
    }
}
