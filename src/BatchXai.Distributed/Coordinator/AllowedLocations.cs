using BatchXai.Coordinator;
using BatchXai.Storage.Objects;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// The locations an operator lets run requests name for one field (results, model, dataset): a
/// list of local folders and s3:// prefixes, the location and everything below it. A request
/// naming anything else is refused (400) with the field, the setting and what it allows.
/// </summary>
public sealed class AllowedLocations
{
    private readonly string _field;
    private readonly string _setting;
    private readonly IReadOnlyList<StoreLocation> _prefixes;

    public AllowedLocations(string field, string setting, IEnumerable<string> prefixes)
    {
        _field = field;
        _setting = setting;
        _prefixes = prefixes.Select(p =>
        {
            try { return StoreLocation.Parse(p); }
            catch (ArgumentException e) { throw new ArgumentException($"setting {setting}: {e.Message}", e); }
        }).ToList();
    }

    /// <summary>Comma-separated prefixes as settings hold them.</summary>
    public static IEnumerable<string> Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The allowed locations as logs and messages show them.</summary>
    public override string ToString() => _prefixes.Count == 0 ? "none" : string.Join(", ", _prefixes);

    /// <summary>Refuses (RunSetupException) a location outside every allowed prefix, or one that does not parse.</summary>
    public void Check(string location)
    {
        StoreLocation where;
        try { where = StoreLocation.Parse(location); }
        catch (ArgumentException e) { throw new RunSetupException($"field '{_field}': {e.Message}", e); }
        if (_prefixes.Any(where.IsWithin)) return;
        throw new RunSetupException($"field '{_field}' = '{location}' is outside the locations this coordinator allows for it " +
            (_prefixes.Count == 0 ? $"(none: set {_setting})" : $"({this}; setting {_setting})"));
    }
}
