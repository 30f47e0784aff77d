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
}
