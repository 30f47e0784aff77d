using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace BatchXai.Onnx.Manifest;

/// <summary>
/// JSON → <see cref="ModelManifest"/>: deserialises into nullable transfer objects, then checks
/// each field and applies the defaults, so every error can name the field it is about.
/// </summary>
internal static partial class ManifestReader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A misspelt optional field ("fundus_crop") would otherwise be silently ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ModelManifest Parse(string json, string manifestPath)
    {
        ManifestDto dto;
        try
        {
            dto = JsonSerializer.Deserialize<ManifestDto>(json, Options)
                  ?? throw new ManifestException(manifestPath, null, "the manifest is JSON null, not an object");
        }
        catch (JsonException e)
        {
            throw FromJsonException(manifestPath, e);
        }
        return new FieldChecker(manifestPath).Build(dto);
    }

    private static ManifestException FromJsonException(string path, JsonException e)
    {
        var field = e.Path is null or "$" ? null : IndexSuffix().Replace(e.Path.TrimStart('$', '.'), "");
        var where = $"line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}";
        var detail = DetailOf(e.Message);
        // For an unknown property the path already ends with its name.
        if (detail.StartsWith("The JSON property", StringComparison.Ordinal))
            return new ManifestException(path, field, $"is not a manifest field (at {where})", e);
        if (detail.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return new ManifestException(path, field, $"has a value of the wrong type (at {where})", e);
        return new ManifestException(path, null, $"invalid JSON at {where}: {detail}", e);
    }

    /// <summary>System.Text.Json appends " Path: … | LineNumber: …" to its messages; we report those ourselves.</summary>
    private static string DetailOf(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex IndexSuffix();
}

// Transfer objects: every member nullable so a missing field is detected, not defaulted.
internal sealed class ManifestDto
{
    public string? Name { get; set; }
    public string? Version { get; set; }
    public string? Onnx { get; set; }
    public InputDto? Input { get; set; }
    public OutputsDto? Outputs { get; set; }
    public string? TargetLayer { get; set; }
    public string? TargetLayerLayout { get; set; }
    public string? Head { get; set; }
    public string[]? Classes { get; set; }

    /// <summary>Free text for people; not read by BatchXai.</summary>
    public string? Description { get; set; }

    /// <summary>Anything the model's maker wants to keep with it (training figures, provenance); not read by BatchXai.</summary>
    public JsonElement? Metadata { get; set; }
}

internal sealed class InputDto
{
    public string? Name { get; set; }
    public string? Layout { get; set; }
    public int[]? Size { get; set; }
    public string? Channels { get; set; }
    public double? Scale { get; set; }
    public double[]? Mean { get; set; }
    public double[]? Std { get; set; }
    public string? Resize { get; set; }
    public bool? FundusCrop { get; set; }
    public string? FieldOfView { get; set; }
    public WindowDto? Window { get; set; }
}

internal sealed class WindowDto
{
    public double? Center { get; set; }
    public double? Width { get; set; }
}

internal sealed class OutputsDto
{
    public string? Logits { get; set; }
    public string? ClassMaps { get; set; }
    public string? Activation { get; set; }
    public bool? MultiLabel { get; set; }
}
