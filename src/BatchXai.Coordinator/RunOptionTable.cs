using System.Text;
using BatchXai.Core.Methods;

namespace BatchXai.Coordinator;

/// <summary>
/// README's method and run-option tables, written from <see cref="MethodRegistry.All"/> and
/// <see cref="RunOptionCatalogue.All"/>; README keeps them between <see cref="Begin"/> and
/// <see cref="End"/>, and a test fails when the two differ.
/// </summary>
public static class RunOptionTable
{
    public const string Begin = "<!-- run-options:begin (generated from the declarations: RunOptionTable.Markdown) -->";
    public const string End = "<!-- run-options:end -->";

    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| method | what it does and costs | options |\n|---|---|---|\n");
        foreach (var method in MethodRegistry.All)
            text.Append($"| `{method.Name}` | {Cell(method.Summary)} | {(method.Options.Count == 0 ? "—" : string.Join(", ", method.Options.Select(o => $"`--{o.Name}`")))} |\n");
        text.Append("\n| option | read by | values | default | meaning |\n|---|---|---|---|---|\n");
        foreach (var option in RunOptionCatalogue.All)
            text.Append($"| `--{option.Name}` | {string.Join(", ", option.UsedBy.Distinct())} | {Cell(option.RangeText)} | {Cell(option.DefaultText)} | {Cell(option.Help)} |\n");
        return text.ToString();
    }

    /// <summary>Pipes would end a table cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|");
}
