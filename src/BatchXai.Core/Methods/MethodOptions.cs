using System.Globalization;

namespace BatchXai.Core.Methods;

/// <summary>
/// Method settings as the command line and the bus carry them ("ig-steps" → "64"); each method
/// reads its own, with defaults, and a bad value is an error naming the option.
/// </summary>
public sealed class MethodOptions(IReadOnlyDictionary<string, string>? values = null)
{
    public static readonly MethodOptions Defaults = new();

    private readonly IReadOnlyDictionary<string, string> _values = values ?? new Dictionary<string, string>();

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new ArgumentException($"option --{name} is '{text}' but must be a whole number from {min} to {max}");
        return value;
    }

    public T Choice<T>(string name, T fallback) where T : struct, Enum
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)) return value;
        throw new ArgumentException($"option --{name} is '{text}' but must be one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
    }
}
