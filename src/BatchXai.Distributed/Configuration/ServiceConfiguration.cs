using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Configuration;

/// <summary>
/// Where the services read their settings, later sources winning: an optional JSON file
/// (<c>--config</c> or BATCHXAI_CONFIG), environment variables named BATCHXAI_&lt;KEY&gt;, and
/// command-line options. Keys are flat and the same everywhere: <c>RABBITMQ_HOST</c> in the
/// file is <c>BATCHXAI_RABBITMQ_HOST</c> in the environment.
/// </summary>
public static class ServiceConfiguration
{
    public const string EnvironmentPrefix = "BATCHXAI_";
    public const string ConfigFileVariable = EnvironmentPrefix + "CONFIG";

    public static IConfiguration Build(string? configFile = null, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        configFile ??= Environment.GetEnvironmentVariable(ConfigFileVariable) is { Length: > 0 } f ? f : null;
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new FileNotFoundException($"configuration file '{configFile}' does not exist", configFile);
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null) builder.AddInMemoryCollection(overrides.Where(o => o.Value is not null));
        return builder.Build();
    }

    public static string? Text(this IConfiguration config, string key) => config[key] is { Length: > 0 } v ? v : null;

    public static int Int(this IConfiguration config, string key, int fallback)
    {
        if (config.Text(key) is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FormatException($"setting {key} (environment {EnvironmentPrefix}{key}) = '{text}' is not an integer");
    }

    public static int IntIn(this IConfiguration config, string key, int fallback, int min, int max)
    {
        int value = config.Int(key, fallback);
        return value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(key, value, $"setting {key} (environment {EnvironmentPrefix}{key}) must be in {min}..{max}");
    }

    /// <summary>A list of intervals (see <see cref="ParseIntervals"/>), or <paramref name="fallback"/> when unset.</summary>
    public static IReadOnlyList<TimeSpan> Intervals(this IConfiguration config, string key, IReadOnlyList<TimeSpan> fallback) =>
        config.Text(key) is { } text ? ParseIntervals(text, $"{key} (environment {EnvironmentPrefix}{key})") : fallback;

    /// <summary>One interval like 30s, 5m or 1h, or <paramref name="fallback"/> when unset.</summary>
    public static TimeSpan Interval(this IConfiguration config, string key, TimeSpan fallback) =>
        config.Intervals(key, [fallback]) is [var one] ? one
            : throw new ArgumentException($"setting {key} (environment {EnvironmentPrefix}{key}) must be one interval like 30s, 5m or 1h");

    /// <summary>"30s,5m,1h" → intervals ("none": no delayed redelivery); each a positive number of s, m or h, at most a day.</summary>
    public static IReadOnlyList<TimeSpan> ParseIntervals(string text, string setting)
    {
        var intervals = new List<TimeSpan>();
        if (text.Trim() == "none") return intervals;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            TimeSpan? interval = part.Length >= 2 && int.TryParse(part[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
                ? part[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => null }
                : null;
            if (interval is not { } i || i > TimeSpan.FromDays(1))
                throw new ArgumentException($"setting {setting}: '{part}' is not an interval like 30s, 5m or 1h (at most a day)");
            intervals.Add(i);
        }
        return intervals;
    }
}
