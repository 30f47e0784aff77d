using BatchXai.Coordinator;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Models;
using BatchXai.Tests.Storage;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Tests.Security;

/// <summary>How a run request's model field becomes a manifest location, and which ones the operator's limits let through.</summary>
public sealed class ModelReferenceTests
{
    private static RunRequestFactory Factory(Dictionary<string, string?> config) =>
        Factory(CoordinatorSettings.From(new ConfigurationBuilder().AddInMemoryCollection(config).Build()), config);

    private static RunRequestFactory Factory(CoordinatorSettings settings, Dictionary<string, string?> config) =>
        new(settings, RequestLimits.From(new ConfigurationBuilder().AddInMemoryCollection(config).Build(), settings));

    private static string Model(RunRequestFactory factory, string model) => factory.Create(new StartRunRequest("s3://b/datasets/x", model)).ModelManifestPath;

    [Fact]
    public void Names_resolve_in_MODELS_DIR_first_then_under_MODELS_URI_which_defaults_to_models_in_the_results_bucket()
    {
        using var dir = new TempFolder("names");
        File.WriteAllText(dir.Combine("local.json"), "{}");
        var factory = Factory(new() { ["RESULTS_URI"] = "s3://b/results", ["MODELS_DIR"] = dir.Path });

        Assert.Equal(dir.Combine("local.json"), Model(factory, "local"));
        Assert.Equal($"s3://b/models/remote/{ModelUri.DefaultManifest}", Model(factory, "remote"));
        Assert.Equal($"s3://b/models/remote/{ModelUri.DefaultManifest}", Model(factory, "remote.json"));
        Assert.Equal("s3://b/models/any/model.json", Model(factory, "s3://b/models/any/model.json"));

        var configured = Factory(new() { ["RESULTS_URI"] = "s3://b/results", ["MODELS_URI"] = "s3://zoo/approved" });
        Assert.Equal($"s3://zoo/approved/grader/{ModelUri.DefaultManifest}", Model(configured, "grader"));
        Assert.Null(CoordinatorSettings.DefaultModelsUri("/data/results"));
    }

    [Fact]
    public void Model_uris_outside_the_allowed_prefixes_are_refused_naming_the_setting_before_anything_is_read()
    {
        var factory = Factory(new() { ["RESULTS_URI"] = "s3://b/results" });
        foreach (var outside in new[] { "s3://b/results/m/manifest.json", "s3://other/models/m/manifest.json", "s3://b/models-old/m/manifest.json", "s3://b/models/../results/m.json" })
        {
            var error = Assert.Throws<RunSetupException>(() => Model(factory, outside));
            Assert.Contains("'model'", error.Message);
        }
        var limited = Factory(new() { ["RESULTS_URI"] = "s3://b/results", [RequestLimits.ModelsSetting] = "s3://b/models/approved" });
        Assert.Contains(RequestLimits.ModelsSetting, Assert.Throws<RunSetupException>(() => Model(limited, "unapproved")).Message);
        Assert.Equal("s3://b/models/approved/x", Model(limited, "s3://b/models/approved/x")); // a folder: its manifest.json is read when the run starts
    }

    [Fact]
    public void A_model_uri_splits_into_its_folder_and_manifest()
    {
        Assert.Equal(new ModelUri("s3://b/models/x", "manifest.json"), ModelUri.ParseRemote("s3://b/models/x/"));
        Assert.Equal(new ModelUri("s3://b/models/x", "grader.json"), ModelUri.ParseRemote("s3://b/models/x/grader.json"));
        Assert.Throws<ArgumentException>(() => ModelUri.ParseRemote("s3://b/"));
        Assert.Throws<ArgumentException>(() => ModelUri.ParseRemote("s3://b/manifest.json"));
        foreach (var bad in new[] { "../model.onnx", "/abs/model.onnx", "a//b.onnx", "s3://x/y.onnx" })
            Assert.Throws<InvalidDataException>(() => ModelUri.CheckRelative(bad, "s3://b/models/x/manifest.json"));
        Assert.Equal("weights/model.onnx", ModelUri.CheckRelative("weights/model.onnx", "s3://b/models/x/manifest.json"));
    }
}
