using System.Text.Json;
using BatchXai.Storage.Database;

namespace BatchXai.Dashboard.Review;

/// <summary>One audit finding as the reviewer reads it: its evidence as JSON.</summary>
public sealed record FindingSummary(string Method, int ClassIndex, string Kind, string Severity, string Message, JsonElement Evidence)
{
    public static FindingSummary Of(AuditFindingRow f) =>
        new(f.Method, f.ClassIndex, f.Kind, f.Severity, f.Message, JsonDocument.Parse(f.EvidenceJson).RootElement.Clone());

    /// <summary>The evidence's "value" (every finding has one), or null.</summary>
    public double? Value => Evidence.ValueKind == JsonValueKind.Object && Evidence.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

/// <summary>
/// A class's verdict for the reviewer: clean (nothing above info), review (a warning: e.g. a SpRAy
/// candidate cluster or attribution piling up outside the field of view) or shortcut suspected (a
/// critical finding: the audit measured a dependence on a region outside the anatomy), with the one
/// finding that drove it — the most severe, then the largest evidence value, then method and kind
/// order. A clean class shows its most telling info finding (e.g. SpRAy's single cluster), if any.
/// </summary>
public sealed record ClassVerdict(int ClassIndex, string ClassName, string Verdict, FindingSummary? DrivenBy, int Warnings, int Criticals)
{
    public const string Clean = "clean", Review = "review", ShortcutSuspected = "shortcut suspected";

    public static int Rank(string severity) => severity switch { "critical" => 2, "warning" => 1, _ => 0 };

    /// <summary>A verdict for every class of the run, in class order.</summary>
    public static IReadOnlyList<ClassVerdict> Of(string[] classNames, IReadOnlyList<AuditFindingRow> findings)
    {
        var summaries = findings.Select(FindingSummary.Of).ToList();
        return classNames.Select((name, c) =>
        {
            var mine = summaries.Where(f => f.ClassIndex == c).ToList();
            var top = mine.OrderByDescending(f => Rank(f.Severity)).ThenByDescending(f => f.Value ?? double.NegativeInfinity)
                .ThenBy(f => f.Method, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal).FirstOrDefault();
            var verdict = top is null ? Clean : Rank(top.Severity) switch { 2 => ShortcutSuspected, 1 => Review, _ => Clean };
            return new ClassVerdict(c, name, verdict, top, mine.Count(f => f.Severity == "warning"), mine.Count(f => f.Severity == "critical"));
        }).ToList();
    }
}
