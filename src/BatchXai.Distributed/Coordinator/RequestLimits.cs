using BatchXai.Distributed.Configuration;
using BatchXai.Storage.Objects;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// Where a run request may point, so that an API caller cannot make workers write or read outside
/// what the operator set up: ALLOWED_RESULTS (default: RESULTS_URI and below), ALLOWED_MODELS
/// (default: MODELS_DIR and MODELS_URI and below; without any, models cannot be named at all), ALLOWED_DATASETS
/// (default: the bucket of RESULTS_URI, or the folder that holds a local RESULTS_URI). Each a
/// comma-separated list of local folders and s3:// prefixes. Local folders are compared with their
/// symbolic links resolved.
/// </summary>
public sealed record RequestLimits(AllowedLocations Results, AllowedLocations Models, AllowedLocations Datasets)
{
    public const string ResultsSetting = "ALLOWED_RESULTS", ModelsSetting = "ALLOWED_MODELS", DatasetsSetting = "ALLOWED_DATASETS";

    public static RequestLimits From(IConfiguration config, CoordinatorSettings settings) => new(
        new AllowedLocations("results", ResultsSetting, AllowedLocations.Split(config.Text(ResultsSetting) ?? settings.ResultsUri)),
        new AllowedLocations("model", ModelsSetting, AllowedLocations.Split(config.Text(ModelsSetting) ?? string.Join(',', new[] { settings.ModelsDir, settings.ModelsUri }.OfType<string>()))),
        new AllowedLocations("dataset", DatasetsSetting, AllowedLocations.Split(config.Text(DatasetsSetting) ?? StoreOf(settings.ResultsUri))));

    /// <summary>The defaults alone, for a coordinator configured by <see cref="CoordinatorSettings"/> only (tests, tools).</summary>
    public static RequestLimits Of(CoordinatorSettings settings) => From(new ConfigurationBuilder().Build(), settings);

    /// <summary>The store a results URI lives in: its bucket, or the folder above a local results folder.</summary>
    private static string StoreOf(string resultsUri)
    {
        var results = StoreLocation.Parse(resultsUri);
        return results.IsS3 ? $"s3://{results.Bucket}/" : Path.GetDirectoryName(results.Path) ?? results.Path;
    }
}
