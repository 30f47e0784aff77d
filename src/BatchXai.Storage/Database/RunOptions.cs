using System.Text.Json;
using BatchXai.Contracts;

namespace BatchXai.Storage.Database;

/// <summary>What a run was asked for beyond the runs table's columns, stored as its options_json.</summary>
/// <param name="Incremental">Images already explained with the same model and methods (by content hash) were left out.</param>
/// <param name="SkippedAsExplained">How many images an incremental run left out.</param>
/// <param name="ModelFiles">The model's files with the SHA-256 the coordinator read, so a batch published again (the sweep) carries them too.</param>
public sealed record RunOptions(int BatchSize, IReadOnlyDictionary<string, string>? MethodOptions, bool Incremental = false, int SkippedAsExplained = 0,
    IReadOnlyList<ModelFile>? ModelFiles = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The options of a stored run (none for runs stored before options were: their options_json is empty).</summary>
    public static RunOptions Of(RunRow run) =>
        string.IsNullOrWhiteSpace(run.OptionsJson) ? new RunOptions(0, null) : JsonSerializer.Deserialize<RunOptions>(run.OptionsJson, Json) ?? new RunOptions(0, null);
}
