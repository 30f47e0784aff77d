using System.Text.Json;
using BatchXai.Contracts;

namespace BatchXai.Storage.Database;

/// <summary>
/// A run's settings as typed values, read from its <see cref="RunRow"/> in this one place: the
/// row keeps methods as "crm,cam", class names and options as JSON; everything else reads them here.
/// </summary>
public sealed record RunInfo(RunRow Row, string[] Methods, string[] ClassNames, TargetMode Target, RunOptions Options)
{
    public static RunInfo Of(RunRow row) => new(row,
        row.Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        JsonSerializer.Deserialize<string[]>(row.ClassNamesJson) ?? [],
        TargetOf(row).Mode,
        RunOptions.Of(row));

    /// <summary>The stored target ("predicted", "label", "finding:NAME"); predicted when unreadable.</summary>
    private static TargetChoice TargetOf(RunRow row)
    {
        try { return TargetChoice.Parse(row.Target); }
        catch (ArgumentException) { return TargetChoice.Predicted; }
    }

    /// <summary>The class index of a run explained for one named finding (<c>--target NAME</c>); null otherwise.</summary>
    public int? TargetFinding => Target == TargetMode.Finding ? TargetOf(Row).Resolve(ClassNames) : null;

    /// <summary>Which images make each class's views (correct for runs stored before the option existed).</summary>
    public ClassSelection ClassSelection => ClassSelectionOption.Of(Options.MethodOptions);

    /// <summary>What a worker needs to explain one of the run's batches.</summary>
    public RunSettings Settings => new(Row.DatasetUri, Row.ModelManifestUri, Row.ResultsUri, Methods, Target, Options.MethodOptions, Options.ModelFiles, TargetFinding);
}
