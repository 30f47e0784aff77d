using BatchXai.Core.Options;

namespace BatchXai.Core.Methods;

/// <summary>
/// Run option values as the command line and the bus carry them ("ig-steps" → "64"); a method
/// reads its own through their declarations (<see cref="OptionSpec"/>), with defaults, and a bad
/// value is an error naming the option.
/// </summary>
public sealed class MethodOptions(IReadOnlyDictionary<string, string>? values = null)
{
    public static readonly MethodOptions Defaults = new();

    private readonly IReadOnlyDictionary<string, string> _values = values ?? new Dictionary<string, string>();

    public int Get(IntOption option) => _values.TryGetValue(option.Name, out var text) ? option.Parse(text) : option.Default;

    public double Get(NumberOption option) => _values.TryGetValue(option.Name, out var text) ? option.Parse(text) : option.Default;

    public T Get<T>(ChoiceOption<T> option) where T : struct, Enum => _values.TryGetValue(option.Name, out var text) ? option.Parse(text) : option.Default;

    public T Get<T>(FlagsOption<T> option) where T : struct, Enum => _values.TryGetValue(option.Name, out var text) ? option.Parse(text) : default;

    public T Get<T>(ParsedOption<T> option) => _values.TryGetValue(option.Name, out var text) ? option.Parse(text) : option.Default;

    /// <summary>The raw text of an option, or null when the user left it unset.</summary>
    public string? Text(string name) => _values.TryGetValue(name, out var text) ? text : null;

    public bool IsSet(string name) => _values.ContainsKey(name);
}
