using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchXai.Core.Methods;

/// <summary>
/// Method settings as the command line and the bus carry them ("ig-steps" → "64"); each method
/// reads its own, with defaults, and a bad value is an error naming the option.
/// </summary>
public sealed partial class MethodOptions(IReadOnlyDictionary<string, string>? values = null)
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

    public double Double(string name, double fallback, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= min && value <= max))
            throw new ArgumentException($"option --{name} is '{text}' but must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>An enum value by its kebab-case name ("gauss-legendre" → GaussLegendre).</summary>
    public T Choice<T>(string name, T fallback) where T : struct, Enum
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!text.Any(char.IsDigit) && Enum.TryParse<T>(text.Replace("-", ""), ignoreCase: true, out var value) && Enum.IsDefined(value)) return value;
        throw new ArgumentException($"option --{name} is '{text}' but must be one of: {string.Join(", ", Enum.GetNames<T>().Select(Kebab))}");
    }

    private static string Kebab(string pascal) => WordStart().Replace(pascal, "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex WordStart();
}
