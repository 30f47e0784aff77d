using System.CommandLine;
using BatchXai.Coordinator;
using BatchXai.Core.Methods;

namespace BatchXai.Cli.Commands;

/// <summary>
/// The run options of <c>batchxai run</c> and <c>batchxai submit</c>, both from
/// <see cref="RunOptionCatalogue"/>: a flag <c>--name</c> per declared option, whose text travels
/// in RunSettings.MethodOptions to the code that declared it (a bad value is an error naming the
/// flag before any work is queued), and <c>--methods</c> with each method's summary.
/// </summary>
public static class RunOptionFlags
{
    public static IReadOnlyList<Option<string?>> Create() =>
        RunOptionCatalogue.All.Select(o => new Option<string?>("--" + o.Name) { Description = o.Description }).ToList();

    public static Option<string> Methods() => new("--methods")
    {
        Description = "Comma-separated methods (default crm): " + string.Join("; ", MethodRegistry.All.Select(m => $"{m.Name}: {m.Summary}")),
        DefaultValueFactory = _ => "crm",
    };

    /// <summary>The options the user set, by name without dashes; unset ones are left to their declarations' defaults.</summary>
    public static Dictionary<string, string> Values(ParseResult parse, IEnumerable<Option<string?>> options) =>
        options.Select(o => (Name: o.Name.TrimStart('-'), Value: parse.GetValue(o))).Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!);
}
