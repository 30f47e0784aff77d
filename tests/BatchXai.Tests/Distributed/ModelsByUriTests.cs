using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Storage.Models;
using BatchXai.Synthetic;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// Models in the object store, end to end on the real services: uploaded with <c>batchxai
/// upload-model</c>, named by name or s3:// URI, fetched by worker processes that were started
/// in a folder of their own with no models folder and no model settings.
/// </summary>
[Collection(DistributedStackCollection.Name)]
public sealed class ModelsByUriTests(DistributedStack stack)
{
    [Fact]
    public async Task A_run_whose_model_is_only_in_the_object_store_completes_on_workers_without_a_models_folder()
    {
        var name = $"grader-{Guid.NewGuid():N}"[..15];
        string uri;
        using (var local = new FixtureModel(GraphFixtures.GapLinear, fundusCrop: true))
        {
            using var cli = new ServiceProcess("upload-model", 0, stack.Environment, "upload-model", "--manifest", local.ManifestPath, "--to", stack.ModelsUri, "--name", name);
            var (exitCode, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, cli.Output);
            uri = cli.Output.Split('\n').Last(l => l.StartsWith("s3://", StringComparison.Ordinal)).Trim();
        } // the local copy is gone: the store holds the only one
        Assert.Equal($"{stack.ModelsUri}/{name}/{ModelUri.DefaultManifest}", uri);

        using var data = new TempFolder("models-by-uri");
        SampleDatasetWriter.Write(data.Path, 32, seed: 11, new SampleDataOptions { Size = 96 });
        var dataset = await stack.UploadDatasetAsync(data.Path, $"datasets/{name}");

        // By name (the coordinator's MODELS_URI), then by URI: the second run finds the model in each worker's cache.
        foreach (var model in new[] { name, uri })
        {
            var started = await stack.Client.StartRunAsync(new StartRunRequest(dataset, model, ["cam"], BatchSize: 16));
            var run = await stack.WaitAsync(started.Id);
            Assert.True(run.Status == "completed" && run.Explained == 32, $"{model}: {run.Status} {run.Explained}/{run.Expected} {run.Error}\n{stack.Logs}");
            var recorded = await stack.Database.QueryAsync("SELECT model_manifest_uri FROM runs WHERE id = @run", r => r.GetString(0), ("run", run.Id));
            Assert.Equal(uri, recorded.Single());
        }

        foreach (var worker in stack.Workers)
        {
            Assert.NotEqual(Environment.CurrentDirectory, worker.WorkingDirectory);
            Assert.Empty(Directory.EnumerateFileSystemEntries(worker.WorkingDirectory));
        }
        // Each worker downloaded the model at most once over both runs; together they did.
        var fetches = stack.Workers.Select(w => w.Output.Split('\n').Count(l => l.Contains($"model {uri} fetched into", StringComparison.Ordinal))).ToList();
        Assert.True(fetches.Sum() >= 1 && fetches.All(f => f <= 1), $"fetches per worker: {string.Join(", ", fetches)}\n{stack.Logs}");
    }

    [Fact]
    public async Task An_unknown_model_uri_or_name_is_refused_with_400_naming_it_and_nothing_is_queued()
    {
        var before = (await stack.Client.RunsAsync(500)).Count;
        var missing = $"missing-{Guid.NewGuid():N}"[..16];
        foreach (var (model, named) in new[]
        {
            ($"{stack.ModelsUri}/{missing}/{ModelUri.DefaultManifest}", $"{stack.ModelsUri}/{missing}/{ModelUri.DefaultManifest}"),
            ($"{stack.ModelsUri}/{missing}", $"{stack.ModelsUri}/{missing}/{ModelUri.DefaultManifest}"),
            (missing, $"{stack.ModelsUri}/{missing}/{ModelUri.DefaultManifest}"),
        })
        {
            var error = await Assert.ThrowsAsync<CoordinatorApiException>(() =>
                stack.Client.StartRunAsync(new StartRunRequest($"s3://{stack.Bucket.Name}/datasets/none", model, ["cam"], BatchSize: 16)));
            Assert.True(error.Status == 400, $"{model}: {error.Status} {error.Message}");
            Assert.Contains(named, error.Message);
        }
        // An s3:// model outside ALLOWED_MODELS is refused for where it is, before it is read.
        var outside = await Assert.ThrowsAsync<CoordinatorApiException>(() =>
            stack.Client.StartRunAsync(new StartRunRequest($"s3://{stack.Bucket.Name}/datasets/none", $"s3://{stack.Bucket.Name}/results/m/{ModelUri.DefaultManifest}", ["cam"], BatchSize: 16)));
        Assert.Equal(400, outside.Status);
        Assert.Contains(RequestLimits.ModelsSetting, outside.Message);
        Assert.Equal(before, (await stack.Client.RunsAsync(500)).Count);
    }
}
