using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Synthetic;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Tests.Storage;
using MassTransit;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// The distributed mode end to end on real RabbitMQ, PostgreSQL and s3rver: coordinator, two
/// worker processes and aggregator as separate processes (see <see cref="DistributedStack"/>).
/// </summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedPipelineTests(DistributedStack stack)
{
    private const double Tolerance = 1e-5;

    private Task<List<(string Method, long Rows, long Images)>> RowsPerMethodAsync(Guid runId) => stack.RowsPerMethodAsync(runId);

    private static List<(string, long, long)> ExactlyOncePerMethod(int images) => DistributedStack.ExactlyOncePerMethod(images);

    [Fact]
    public async Task Two_worker_processes_explain_200_images_exactly_once_per_method_with_the_embedded_class_views()
    {
        var (run, data) = await stack.Synthetic200Async();

        Assert.True(run.Status == RunStatus.Completed, $"run {run.Status}: {run.Error}\n{stack.Logs}");
        Assert.Equal((200, 200, 0), (run.Expected, run.Explained, run.Failed));
        Assert.Equal(ExactlyOncePerMethod(200), await RowsPerMethodAsync(run.Id));
        Assert.Empty(await stack.Database.Store.FailuresAsync(run.Id));
        // Each worker process took batches from the shared queue (a worker loads the model on its first batch).
        Assert.All(stack.Workers, w => Assert.Contains("loaded on Cpu", w.Output));

        // The embedded mode on the same images, model and methods.
        using var embeddedOut = new TempFolder("dist-embedded");
        var embedded = await EmbeddedRunner.RunAsync(new RunArguments(data, stack.Model.ManifestPath, "crm,cam", embeddedOut.Path), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, embedded.ExitCode);
        var expected = embedded.Classes!;
        var actual = await stack.Database.Store.ClassAggregatesAsync(run.Id);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(c => (c.Method, c.ClassIndex, c.ClassName, c.ImageCount)), actual.Select(c => (c.Method, c.ClassIndex, c.ClassName, c.ImageCount)));

        using var s3 = stack.Bucket.Store("");
        foreach (var (e, a) in expected.Zip(actual))
        {
            var what = $"{a.Method} class {a.ClassIndex}";
            Assert.True(Math.Abs(e.RoiRatio - a.RoiRatio) <= 2.0 / (32 * 32), $"{what}: ROI ratio {a.RoiRatio} vs embedded {e.RoiRatio}");
            Assert.True(Math.Abs(e.ScoreMean - a.ScoreMean) <= Tolerance, $"{what}: score mean {a.ScoreMean} vs {e.ScoreMean}");
            Assert.True(Math.Abs(e.ScoreStd - a.ScoreStd) <= Tolerance, $"{what}: score std {a.ScoreStd} vs {e.ScoreStd}");
            Assert.True(Math.Abs(e.ImageRoiRatioMean - a.ImageRoiRatioMean) <= Tolerance, $"{what}: image ROI mean {a.ImageRoiRatioMean} vs {e.ImageRoiRatioMean}");

            // The class-level maps themselves: the embedded .npy on disk against the distributed one in S3.
            var local = NpyFile.Read(await File.ReadAllBytesAsync(new Uri(e.NpyUri).LocalPath));
            var remote = NpyFile.Read(await s3.ReadAsync(a.NpyUri[$"s3://{stack.Bucket.Name}/".Length..]));
            Assert.Equal(local.Shape, remote.Shape);
            for (int i = 0; i < local.Data.Length; i++)
                Assert.True(Math.Abs(local.Data[i] - remote.Data[i]) <= Tolerance, $"{what}: average map [{i}] {remote.Data[i]} vs embedded {local.Data[i]}");
        }
    }

    /// <summary>
    /// LRP (composite), DeepLIFT and GradientSHAP through the worker processes: every image once per
    /// method, and the class views equal to the embedded run's on the same images, options and batch
    /// size (GradientSHAP's draws are seeded by the image, so another process draws the same).
    /// </summary>
    [Fact]
    public Task Lrp_deeplift_and_gradshap_run_distributed_with_the_embedded_class_views() =>
        RunsDistributedWithTheEmbeddedClassViewsAsync("rules", ["deeplift", "gradshap", "lrp"],
            new() { ["lrp-rule"] = "composite", ["gradshap-samples"] = "4", ["gradshap-baselines"] = "batch" });

    [Fact]
    public Task Lime_kernelshap_and_xrai_run_distributed_with_the_embedded_class_views() =>
        RunsDistributedWithTheEmbeddedClassViewsAsync("regions", ["kernelshap", "lime", "xrai"],
            new() { ["lime-samples"] = "16", ["kernelshap-samples"] = "16", ["superpixels"] = "8", ["ig-steps"] = "4" });

    /// <summary>Every image once per method on the real stack, and class views equal to an embedded run's of the same data.</summary>
    private async Task RunsDistributedWithTheEmbeddedClassViewsAsync(string name, string[] methods, Dictionary<string, string> options)
    {
        using var data = new TempFolder($"dist-{name}");
        SampleDatasetWriter.Write(data.Path, 24, seed: 15, new SampleDataOptions { Size = 64 });
        var uri = await stack.UploadDatasetAsync(data.Path, $"datasets/{name}");

        var started = await stack.Client.StartRunAsync(new StartRunRequest(uri, stack.Model.ManifestPath, methods, BatchSize: 16, Options: options));
        var run = await stack.WaitAsync(started.Id);

        Assert.True(run.Status == RunStatus.Completed, $"run {run.Status}: {run.Error}\n{stack.Logs}");
        Assert.Equal((24, 24, 0), (run.Expected, run.Explained, run.Failed));
        Assert.Equal(methods.Select(m => (m, 24L, 24L)).ToList(), await RowsPerMethodAsync(run.Id));
        using var embeddedOut = new TempFolder($"dist-{name}-embedded");
        var embedded = await EmbeddedRunner.RunAsync(new RunArguments(data.Path, stack.Model.ManifestPath, string.Join(',', methods), embeddedOut.Path, BatchSize: 16, MethodOptions: options),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, embedded.ExitCode);
        var expected = embedded.Classes!;
        var actual = await stack.Database.Store.ClassAggregatesAsync(run.Id);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(c => (c.Method, c.ClassIndex, c.ImageCount)), actual.Select(c => (c.Method, c.ClassIndex, c.ImageCount)));
        foreach (var (e, a) in expected.Zip(actual))
            Assert.True(Math.Abs(e.ScoreMean - a.ScoreMean) <= Tolerance * Math.Max(1, Math.Abs(e.ScoreMean)), $"{a.Method} class {a.ClassIndex}: score mean {a.ScoreMean} vs embedded {e.ScoreMean}");
    }

    [Fact]
    public async Task A_model_that_cannot_serve_the_methods_is_refused_with_400_before_anything_is_queued()
    {
        // An opset-9 export with an Elu in its trunk: the forward pass runs, Grad-CAM's backward graph cannot be built.
        var exports = new Byom.ByomExports();
        using var data = new TempFolder("dist-byom");
        SampleDatasetWriter.Write(data.Path, 2, seed: 8, new SampleDataOptions { Size = 64 });
        var uri = await stack.UploadDatasetAsync(data.Path, "datasets/byom");
        var runsBefore = (await stack.Client.RunsAsync()).Count;

        var e = await Assert.ThrowsAsync<CoordinatorApiException>(() =>
            stack.Client.StartRunAsync(new StartRunRequest(uri, exports.Manifest("elu_op9"), ["crm", "gradcam"])));

        Assert.Equal(400, e.Status);
        Assert.Contains("(op Elu, opset 9)", e.Message);
        Assert.Equal(runsBefore, (await stack.Client.RunsAsync()).Count);
    }

    [Theory]
    [InlineData("metrics", "deletion,fidelity", "fidelity")]
    [InlineData("ig-stepz", "8", "--ig-stepz")]
    [InlineData("occlusion-patch", "0", "--occlusion-patch")]
    public async Task An_unknown_option_or_a_bad_value_is_refused_with_400_naming_it_before_anything_is_queued(string option, string value, string named)
    {
        // Options are read by the worker; a bad one must stop the request, not fail every image.
        using var data = new TempFolder("dist-option");
        SampleDatasetWriter.Write(data.Path, 2, seed: 9, new SampleDataOptions { Size = 64 });
        var uri = await stack.UploadDatasetAsync(data.Path, "datasets/bad-option");
        var runsBefore = (await stack.Client.RunsAsync()).Count;

        var e = await Assert.ThrowsAsync<CoordinatorApiException>(() => stack.Client.StartRunAsync(
            new StartRunRequest(uri, stack.Model.ManifestPath, ["cam"], Options: new() { [option] = value })));

        Assert.Equal(400, e.Status);
        Assert.Contains(named, e.Message);
        Assert.Equal(runsBefore, (await stack.Client.RunsAsync()).Count);
    }

    /// <summary>
    /// A new run with a completed run's settings, left running with far more images expected than a test
    /// publishes, so the workers take the batches a test publishes for it (they skip a run no longer running)
    /// and it never moves on to aggregation. <see cref="CloseAsync"/> ends it.
    /// </summary>
    private async Task<RunRow> RunningCopyAsync(Guid completed)
    {
        var copy = (await stack.Database.Store.FindRunAsync(completed))!;
        copy.Id = Guid.NewGuid();
        (copy.Status, copy.Expected, copy.Explained, copy.Failed, copy.Error, copy.CompletedAt, copy.ScheduleId) =
            (RunStatus.Running, 1_000_000, 0, 0, null, null, null);
        await stack.Database.Store.CreateRunAsync(copy);
        return copy;
    }

    private Task CloseAsync(RunRow copy) =>
        stack.Database.Store.TryTransitionAsync(copy.Id, RunStatus.Running, RunStatus.Failed, "test run, ended by the test");

    [Fact]
    public async Task A_batch_published_twice_stores_its_rows_once_and_counts_its_images_once()
    {
        var (completed, _) = await stack.Synthetic200Async();
        var run = await RunningCopyAsync(completed.Id);
        var images = (await stack.Database.Store.ResultsAsync(completed.Id, "crm")).Take(16).Select(r => new ImageRef(r.ImageKey, r.Label)).ToList();
        const int BatchIndex = 9000;
        var batch = new ExplainBatch(run.Id, BatchIndex, RunInfo.Of(run).Settings, images);
        try
        {
            // Both deliveries are reported back (BatchExplained): then both have been stored.
            int reports = 0;
            var bothReported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                RabbitMqBus.Configure(cfg, stack.Rabbit);
                cfg.ReceiveEndpoint($"{stack.Prefix}test-watch-{Guid.NewGuid():N}", e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.Handler<BatchExplained>(c =>
                    {
                        if (c.Message.RunId == run.Id && c.Message.BatchIndex == BatchIndex && Interlocked.Increment(ref reports) == 2) bothReported.TrySetResult();
                        return Task.CompletedTask;
                    });
                });
            });
            await bus.StartAsync();
            try
            {
                await bus.Publish(batch);
                await bus.Publish(batch);
                await bothReported.Task.WaitAsync(TimeSpan.FromMinutes(5));
            }
            finally { await bus.StopAsync(); }

            // Both deliveries explained and stored the batch; the second replaced the first's rows.
            Assert.Equal(ExactlyOncePerMethod(16), await RowsPerMethodAsync(run.Id));
            Assert.Empty(await stack.Database.Store.FailuresAsync(run.Id));
            var progress = await stack.Database.Store.RefreshProgressAsync(run.Id);
            Assert.Equal((RunStatus.Running, 16, 0), (progress.Status, progress.Explained, progress.Failed));
            // The completed run whose images they are is untouched.
            Assert.Equal(ExactlyOncePerMethod(200), await RowsPerMethodAsync(completed.Id));
        }
        finally { await CloseAsync(run); }
    }

    [Fact]
    public async Task A_poison_batch_ends_in_the_error_queue_shown_by_the_api_and_fails_only_its_images_without_results()
    {
        var (completed, _) = await stack.Synthetic200Async();
        var run = await RunningCopyAsync(completed.Id);
        const int BatchIndex = 9001;
        var missingModel = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.json");
        var settings = RunInfo.Of(run).Settings with { ModelManifestUri = missingModel };
        var earlier = (await stack.Database.Store.ResultsAsync(completed.Id, "crm")).Take(3).ToList();
        var images = earlier.Select(r => new ImageRef(r.ImageKey, r.Label)).ToList();
        // An earlier, partly successful delivery stored the first two images' results: the fault keeps them.
        foreach (var r in earlier) r.Id = 0;
        await stack.Database.Store.SaveBatchAsync(run.Id, [.. images.Take(2).Select(i => i.Key)], earlier.Take(2).ToList(), []);
        try
        {
            await using (var bus = new DisposableBus(await RabbitMqBus.StartPublisherAsync(stack.Rabbit)))
                await bus.Control.Publish(new ExplainBatch(run.Id, BatchIndex, settings, images));

            ErrorMessageView? poison = null;
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (poison is null)
            {
                var errors = await stack.Client.ErrorsAsync(limit.Token);
                poison = errors.GetProperty("queues").EnumerateArray()
                    .Where(q => q.GetProperty("queue").GetString() == $"{stack.Prefix}explain-batch_error")
                    .SelectMany(q => q.GetProperty("messages").EnumerateArray())
                    .Select(m => System.Text.Json.JsonSerializer.Deserialize<ErrorMessageView>(m, BatchXai.Distributed.Client.CoordinatorClient.Json)!)
                    .FirstOrDefault(m => m.RunId == run.Id && m.BatchIndex == BatchIndex);
                if (poison is null) await Task.Delay(500, limit.Token);
            }

            Assert.Equal("BatchXai.Contracts:ExplainBatch", poison.MessageType);
            Assert.NotNull(poison.ExceptionType);
            Assert.Contains(Path.GetFileName(missingModel), poison.ExceptionMessage);
            // The coordinator's fault consumer fails the one image without results, naming the model, and keeps the two stored.
            ImageFailureRow? failed = null;
            while ((failed = (await stack.Database.Store.FailuresAsync(run.Id)).SingleOrDefault()) is null) await Task.Delay(200, limit.Token);
            Assert.Equal((images[2].Key, FailureStage.Explain), (failed.ImageKey, failed.Stage));
            Assert.Contains(Path.GetFileName(missingModel), failed.Error);
            Assert.Equal(new List<(string, long, long)> { ("crm", 2, 2) }, await RowsPerMethodAsync(run.Id));
            Assert.Equal(ExactlyOncePerMethod(200), await RowsPerMethodAsync(completed.Id));
        }
        finally { await CloseAsync(run); }
    }

    [Fact]
    public async Task A_scheduled_incremental_run_explains_only_the_images_added_since_the_last_run()
    {
        using var data = new TempFolder("dist-incoming");
        SampleDatasetWriter.Write(data.Path, 20, seed: 47, new SampleDataOptions { Size = 96 });
        var uri = await stack.UploadDatasetAsync(data.Path, "incoming");
        // A nightly cron: the test fires the job itself instead of waiting for 02:00.
        var schedule = await stack.Client.CreateScheduleAsync(new CreateScheduleRequest($"nightly-{Guid.NewGuid():N}", "0 0 2 * * ?",
            new StartRunRequest(uri, stack.Model.ManifestPath, DistributedStack.SyntheticMethods, BatchSize: 16)));
        Assert.NotNull(schedule.NextFireAt);

        var first = await FireAsync(schedule.Id);
        Assert.Equal((RunStatus.Completed, 20, 20, 0), (first.Status, first.Expected, first.Explained, first.Failed));
        Assert.Equal(schedule.Id, first.ScheduleId);

        // Five more images arrive (image i of a seed is always the same picture, so the first 20 are byte for byte the same).
        SampleDatasetWriter.Write(data.Path, 25, seed: 47, new SampleDataOptions { Size = 96 });
        await stack.UploadDatasetAsync(data.Path, "incoming");
        var second = await FireAsync(schedule.Id);
        Assert.Equal((RunStatus.Completed, 5, 5, 0), (second.Status, second.Expected, second.Explained, second.Failed));
        Assert.True(second.Options.Incremental);
        Assert.Equal(20, second.Options.SkippedAsExplained);
        var newKeys = File.ReadAllLines(data.Combine("train.csv")).Skip(21).Select(l => $"train_images/{l.Split(',')[0]}.png").Order(StringComparer.Ordinal);
        var explainedKeys = (await stack.Database.Store.ResultsAsync(second.Id, "crm")).Select(r => r.ImageKey);
        Assert.Equal(newKeys, explainedKeys);

        // Nothing new: no run.
        var idle = await FireOnceAsync(schedule.Id);
        Assert.Equal("nothing new", idle.LastOutcome);
        Assert.Equal(second.Id, idle.LastRunId);
    }

    /// <summary>Triggers the schedule's job and follows the run it starts.</summary>
    private async Task<RunView> FireAsync(Guid scheduleId)
    {
        var fired = await FireOnceAsync(scheduleId);
        Assert.True(fired.LastRunId is not null && fired.LastOutcome!.StartsWith("run "), $"schedule outcome: {fired.LastOutcome}\n{stack.Logs}");
        return await stack.WaitAsync(fired.LastRunId!.Value);
    }

    /// <summary>Triggers the schedule's job through the API and waits until the firing is recorded.</summary>
    private async Task<ScheduleView> FireOnceAsync(Guid scheduleId)
    {
        var before = (await stack.Client.ScheduleAsync(scheduleId)).LastFiredAt;
        await stack.Client.TriggerScheduleAsync(scheduleId);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var now = await stack.Client.ScheduleAsync(scheduleId, limit.Token);
            if (now.LastFiredAt != before) return now;
            await Task.Delay(250, limit.Token);
        }
    }

    /// <summary>Stops a started bus on dispose.</summary>
    private sealed class DisposableBus(IBusControl control) : IAsyncDisposable
    {
        public IBusControl Control { get; } = control;
        public async ValueTask DisposeAsync() => await Control.StopAsync();
    }
}
