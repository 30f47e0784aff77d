using BatchXai.Coordinator;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Storage;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Tests.Security;

/// <summary>Run requests stay inside the locations the operator allows: no "..", no symbolic link, no neighbouring prefix leads out.</summary>
public sealed class RequestLimitsTests
{
    private static RunRequestFactory Factory(string results, string? modelsDir, Dictionary<string, string?>? limits = null)
    {
        var settings = new CoordinatorSettings(0, results, modelsDir, 32);
        return new RunRequestFactory(settings, RequestLimits.From(new ConfigurationBuilder().AddInMemoryCollection(limits ?? []).Build(), settings));
    }

    private static string Refused(RunRequestFactory factory, StartRunRequest request) =>
        Assert.Throws<RunSetupException>(() => factory.Create(request)).Message;

    [Fact]
    public void Local_locations_are_compared_with_dot_dot_and_symbolic_links_resolved()
    {
        using var root = new TempFolder("limits");
        var allowed = StoreLocation.Parse(root.Combine("results"));
        Directory.CreateDirectory(root.Combine("results"));
        Directory.CreateDirectory(root.Combine("secret"));
        Directory.CreateSymbolicLink(Path.Combine(root.Path, "results", "link-out"), root.Combine("secret"));
        File.CreateSymbolicLink(Path.Combine(root.Path, "results", "dangling"), Path.Combine(root.Path, "secret", "not-yet"));
        Directory.CreateSymbolicLink(root.Combine("alias"), root.Combine("results"));

        Assert.True(StoreLocation.Parse(root.Combine("results")).IsWithin(allowed));
        Assert.True(StoreLocation.Parse(Path.Combine(root.Path, "results", "new", "run")).IsWithin(allowed));
        Assert.True(StoreLocation.Parse("file://" + Path.Combine(root.Path, "results", "x")).IsWithin(allowed));
        // A link into the allowed folder is the allowed folder.
        Assert.True(StoreLocation.Parse(Path.Combine(root.Path, "alias", "x")).IsWithin(allowed));

        Assert.False(StoreLocation.Parse(Path.Combine(root.Path, "results", "..", "secret")).IsWithin(allowed));
        Assert.False(StoreLocation.Parse(Path.Combine(root.Path, "results", "link-out")).IsWithin(allowed));
        Assert.False(StoreLocation.Parse(Path.Combine(root.Path, "results", "link-out", "deeper")).IsWithin(allowed));
        Assert.False(StoreLocation.Parse(Path.Combine(root.Path, "results", "dangling")).IsWithin(allowed));
        Assert.False(StoreLocation.Parse(root.Combine("results-old")).IsWithin(allowed));
        Assert.False(StoreLocation.Parse("s3://results/x").IsWithin(allowed));

        Directory.CreateSymbolicLink(root.Combine("loop-a"), root.Combine("loop-b"));
        Directory.CreateSymbolicLink(root.Combine("loop-b"), root.Combine("loop-a"));
        Assert.Contains("symbolic links", Assert.Throws<ArgumentException>(() => StoreLocation.Parse(Path.Combine(root.Path, "loop-a", "x"))).Message);
    }

    [Fact]
    public void S3_locations_match_whole_segments_of_the_same_bucket_and_refuse_dot_segments()
    {
        var allowed = StoreLocation.Parse("s3://bucket/results");
        Assert.True(StoreLocation.Parse("s3://bucket/results").IsWithin(allowed));
        Assert.True(StoreLocation.Parse("s3://bucket/results/").IsWithin(allowed));
        Assert.True(StoreLocation.Parse("s3://bucket/results/a/b").IsWithin(allowed));
        Assert.True(StoreLocation.Parse("s3://bucket//results//a").IsWithin(allowed));
        Assert.False(StoreLocation.Parse("s3://bucket/results-old").IsWithin(allowed));
        Assert.False(StoreLocation.Parse("s3://bucket/").IsWithin(allowed));
        Assert.False(StoreLocation.Parse("s3://bucket2/results/a").IsWithin(allowed));
        Assert.True(StoreLocation.Parse("s3://bucket2/anything").IsWithin(StoreLocation.Parse("s3://bucket2/")));
        foreach (var dotted in new[] { "s3://bucket/results/../x", "s3://bucket/results/./x", "s3://bucket/results/a/.." })
            Assert.Contains("'..'", Assert.Throws<ArgumentException>(() => StoreLocation.Parse(dotted)).Message);
        Assert.Throws<ArgumentException>(() => StoreLocation.Parse("http://bucket/results"));
    }

    [Fact]
    public void Results_models_and_datasets_outside_their_allowed_locations_are_refused_naming_field_and_setting()
    {
        using var root = new TempFolder("limits-factory");
        var models = root.Combine("models");
        Directory.CreateDirectory(models);
        File.WriteAllText(Path.Combine(models, "grader.json"), "{}");
        File.WriteAllText(root.Combine("stray.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(models, "escape.json"), root.Combine("stray.json"));
        var factory = Factory("s3://b/results", models);
        StartRunRequest Request(string model = "grader", string dataset = "s3://b/datasets/aptos", string? results = null) => new(dataset, model, Results: results);

        // Defaults: results under RESULTS_URI, datasets in its bucket, models in MODELS_DIR.
        var ok = factory.Create(Request(results: "s3://b/results/nightly"));
        Assert.Equal((Path.Combine(models, "grader.json"), "s3://b/results/nightly"), (ok.ModelManifestPath, ok.ResultsUri));
        Assert.Equal(Path.Combine(models, "grader.json"), factory.Create(Request(model: Path.Combine(models, "grader.json"))).ModelManifestPath);

        Assert.Contains("ALLOWED_RESULTS", Refused(factory, Request(results: "s3://b/other")));
        Assert.Contains("'results'", Refused(factory, Request(results: root.Path)));
        Assert.Contains("'..'", Refused(factory, Request(results: "s3://b/results/../other")));
        Assert.Contains("ALLOWED_DATASETS", Refused(factory, Request(dataset: "s3://c/datasets")));
        Assert.Contains("'dataset'", Refused(factory, Request(dataset: "/etc")));
        foreach (var model in new[] { root.Combine("stray.json"), "escape", Path.Combine(models, "..", "stray.json"), "../stray", "/etc/passwd" })
        {
            var message = Refused(factory, Request(model: model));
            Assert.Contains("'model'", message);
            Assert.Contains("ALLOWED_MODELS", message);
        }
        // Without MODELS_DIR no model path is allowed, and the message says what to set.
        Assert.Contains("ALLOWED_MODELS", Refused(Factory("s3://b/results", null), Request(model: Path.Combine(models, "grader.json"))));

        // Operators widen or narrow each list; a local RESULTS_URI's datasets default to the folder above it.
        var wider = Factory("s3://b/results", models, new() { ["ALLOWED_RESULTS"] = "s3://b/results, s3://archive/runs", ["ALLOWED_DATASETS"] = "s3://data/" });
        Assert.Equal("s3://archive/runs/x", wider.Create(Request(dataset: "s3://data/a", results: "s3://archive/runs/x")).ResultsUri);
        Assert.Contains("ALLOWED_DATASETS", Refused(wider, Request(dataset: "s3://b/datasets/aptos")));
        var local = Factory(root.Combine("results"), models);
        Directory.CreateDirectory(root.Combine("data"));
        Assert.Equal(root.Combine("data"), local.Create(Request(dataset: root.Combine("data"))).DatasetUri);
        Assert.Contains("'dataset'", Refused(local, Request(dataset: "/etc")));
    }
}
