using System.Diagnostics;
using BatchXai.Contracts;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Hosting;
using Xunit.Abstractions;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>
/// Real failures during a distributed run, on a stack with its own PostgreSQL, s3rver and
/// RabbitMQ: a worker SIGKILLed mid-batch, the coordinator killed between recording a run and
/// publishing it, the aggregator killed mid-aggregation, the broker restarted mid-run, the
/// database and the store each stopped for 30 s and for 3 minutes. Each run must still end
/// completed with every image explained exactly once per method, no image failed (an outage is
/// never an image's failure), class views built once per (method, class), nothing dead-lettered.
/// </summary>
public sealed class OutageTests(FaultStack stack, ITestOutputHelper output) : IClassFixture<FaultStack>
{
    private const int Images = 160;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    /// <summary>Longer than the immediate retries and the first three delayed redeliveries (10 + 20 + 40 s), shorter than all of them (310 s).</summary>
    private static readonly TimeSpan LongOutage = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan BrokerOutage = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_worker_killed_mid_batch_loses_and_doubles_no_image()
    {
        var dataset = await stack.DatasetAsync("kill", Images, seed: 71);
        var victim = await stack.StartExtraWorkerAsync("worker-killed");
        var started = await stack.StartRunAsync(dataset);
        // A fresh worker loads the model when its first batch arrives: it is mid-batch then.
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!victim.Output.Contains("loaded on")) await Task.Delay(20, limit.Token);
        victim.Kill();
        var at = await stack.Client.RunAsync(started.Id);
        Assert.True(at.Explained < Images, $"the run finished before the kill ({at.Explained} explained)");
        output.WriteLine($"SIGKILL of {victim.Name} at {at.Explained}/{Images} explained");
        await AssertExactlyOnceAsync(await stack.WaitAsync(started.Id, RunLimit), "worker SIGKILL");
    }

    [Fact]
    public Task PostgreSQL_stopped_for_30_s_mid_run_fails_no_image() =>
        OutageDuringRunAsync("PostgreSQL", seed: 73, Outage, stack.Postgres.StopAsync, stack.Postgres.StartAsync);

    [Fact]
    public Task The_object_store_stopped_for_30_s_mid_run_fails_no_image() =>
        OutageDuringRunAsync("s3rver", seed: 79, Outage, StopS3, stack.S3.StartAsync);

    [Fact]
    public Task PostgreSQL_stopped_for_3_minutes_mid_run_fails_no_image() =>
        OutageDuringRunAsync("PostgreSQL", seed: 103, LongOutage, stack.Postgres.StopAsync, stack.Postgres.StartAsync);

    [Fact]
    public Task The_object_store_stopped_for_3_minutes_mid_run_fails_no_image() =>
        OutageDuringRunAsync("s3rver", seed: 107, LongOutage, StopS3, stack.S3.StartAsync);

    private Task StopS3()
    {
        stack.S3.Stop();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops a service right after a run is queued, starts it again after <paramref name="outage"/>, and
    /// checks the run: the services' delayed redelivery must have carried its work over the outage.
    /// </summary>
    private async Task OutageDuringRunAsync(string service, int seed, TimeSpan outage, Func<Task> stop, Func<Task> start)
    {
        var dataset = await stack.DatasetAsync($"outage-{seed}", Images, seed);
        int redeliveries = stack.RedeliveryLines;
        var started = await stack.StartRunAsync(dataset);
        var clock = Stopwatch.StartNew();
        await stop();
        await Task.Delay(outage);
        await start();
        output.WriteLine($"{service} stopped {clock.Elapsed.TotalSeconds:F1} s, from right after the run was queued");
        var run = await stack.WaitAsync(started.Id, RunLimit);
        output.WriteLine($"run ended {clock.Elapsed.TotalSeconds:F1} s after the stop; {stack.RedeliveryLines - redeliveries} delayed redeliveries, " +
            $"{stack.SkippedBatchLines} late batch copies acknowledged without work (whole stack so far)");
        Assert.True(stack.RedeliveryLines > redeliveries, $"no delayed redelivery: the outage missed the run\n{stack.Logs}");
        await AssertExactlyOnceAsync(run, $"{service} down {outage.TotalSeconds} s");
    }

    [Fact]
    public async Task RabbitMQ_restarted_mid_run_loses_and_doubles_no_image()
    {
        var dataset = await stack.DatasetAsync("broker", Images, seed: 109);
        var started = await stack.StartRunAsync(dataset);
        // Mid-run: some batches done, others queued, some in a worker's hands.
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RunView at;
        while ((at = await stack.Client.RunAsync(started.Id)).Explained == 0) await Task.Delay(100, limit.Token);
        var clock = Stopwatch.StartNew();
        await stack.Broker.StopAsync();
        var stopped = clock.Elapsed;
        await Task.Delay(BrokerOutage);
        var starting = clock.Elapsed;
        await stack.Broker.StartAsync();
        output.WriteLine($"RabbitMQ down {clock.Elapsed.TotalSeconds:F1} s (the stop took {stopped.TotalSeconds:F1} s, the start {(clock.Elapsed - starting).TotalSeconds:F1} s) " +
            $"from {at.Explained}/{Images} explained; {(await stack.Client.RunAsync(started.Id)).Explained}/{Images} explained when it was back");
        Assert.True(at.Explained < Images, $"the run finished before the broker stopped ({at.Explained} explained)");
        var run = await stack.WaitAsync(started.Id, RunLimit);
        output.WriteLine($"run ended {clock.Elapsed.TotalSeconds:F1} s after the stop; " +
            $"{stack.SkippedBatchLines} late batch copies acknowledged without work (whole stack so far)");
        await AssertExactlyOnceAsync(run, $"RabbitMQ down {BrokerOutage.TotalSeconds} s");
    }

    [Fact]
    public async Task An_aggregator_killed_mid_aggregation_leaves_the_run_to_the_next_one()
    {
        const int Small = 64;
        var dataset = await stack.DatasetAsync("aggregator-crash", Small, seed: 113);
        // The hooked aggregator is the only one consuming: it gets the run's RunCompleted.
        var crashing = await stack.ReplaceAggregatorAsync("aggregator-crashing",
            new Dictionary<string, string> { ["BATCHXAI_" + FaultTestHooks.ExitAfterClassViews] = "1" });
        var started = await stack.StartRunAsync(dataset);
        int exitCode;
        RunCounts between;
        string status;
        try
        {
            (exitCode, _) = await crashing.WaitForExitAsync(RunLimit);
            between = await stack.CountAsync(started.Id);
            status = (await stack.Client.RunAsync(started.Id)).Status;
        }
        finally
        {
            // A normal aggregator (also when the hook never fired: the next tests need one). The broker
            // hands it the RunCompleted the dead one never acknowledged, and the sweep sends it again.
            await stack.ReplaceAggregatorAsync("aggregator-after-crash");
        }
        output.WriteLine($"{crashing.Name} killed itself (exit {exitCode}) after writing the class views, run {status}: {between}");
        Assert.NotEqual(0, exitCode);
        Assert.Equal(RunStatus.Aggregating, status);
        Assert.True(between.ClassViews > 0, "the aggregator died before writing any class view");
        var run = await stack.WaitAsync(started.Id, RunLimit);
        await AssertExactlyOnceAsync(run, "aggregator killed mid-aggregation", Small);
        Assert.Equal(between.ClassViews, (await stack.CountAsync(started.Id)).ClassViews);
    }

    [Fact]
    public async Task Metrics_count_the_images_maps_batches_and_model_runs_of_a_run()
    {
        const int Small = 64;
        var dataset = await stack.DatasetAsync("metrics", Small, seed: 83);
        async Task<string[]> ScrapeWorkersAsync() => await Task.WhenAll(stack.StackWorkers.Select(w => PrometheusText.ScrapeAsync(w.Port)));
        double Total(string[] scrapes, string metric, params string[] labels) => scrapes.Sum(t => PrometheusText.Sum(t, metric, labels));
        // Work left over from the outage tests (delayed copies, batches the sweep republished) would
        // count here: start once the queues are empty and the workers' counters stand still.
        string[] before = await ScrapeWorkersAsync();
        for (var quietSince = DateTime.UtcNow; DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(25);)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var now = await ScrapeWorkersAsync();
            double queued = PrometheusText.Sum(await PrometheusText.ScrapeAsync(stack.Coordinator.Port), "batchxai_bus_queue_messages");
            if (queued > 0 || Total(now, "batchxai_worker_images_explained_total") != Total(before, "batchxai_worker_images_explained_total"))
                quietSince = DateTime.UtcNow;
            before = now;
        }
        const string Republished = "batchxai_coordinator_republished_images_total";
        double republishedBefore = PrometheusText.Sum(await PrometheusText.ScrapeAsync(stack.Coordinator.Port), Republished);
        var run = await stack.WaitAsync((await stack.StartRunAsync(dataset)).Id, RunLimit);
        Assert.Equal(RunStatus.Completed, run.Status);
        var after = await ScrapeWorkersAsync();
        double Delta(string metric, params string[] labels) => Total(after, metric, labels) - Total(before, metric, labels);

        double explained = Delta("batchxai_worker_images_explained_total"), crm = Delta("batchxai_worker_maps_total", "method=\"crm\""),
            batches = Delta("batchxai_worker_batch_duration_seconds_count"), modelRuns = Delta("batchxai_onnx_run_duration_seconds_count", "provider=\"cpu\"");
        output.WriteLine($"worker /metrics deltas over a {Small}-image run: {explained} images explained, {crm} crm maps, {batches} batches, {modelRuns} ONNX Runtime runs on cpu");
        // Every image the workers explained was published once, or again by the sweep (STALL_AFTER is 15 s here).
        var coordinator = await PrometheusText.ScrapeAsync(stack.Coordinator.Port);
        double republished = PrometheusText.Sum(coordinator, Republished) - republishedBefore;
        output.WriteLine($"coordinator: {republished} images republished by the sweep during the run");
        Assert.True(explained == Small + republished, $"images explained {explained}, expected {Small} + {republished}:\n{after[0]}");
        Assert.Equal(explained, crm);
        Assert.True(batches >= Small / FaultStack.BatchSize, $"{batches} batches");
        Assert.True(modelRuns >= batches, $"{modelRuns} model runs for {batches} batches");
        Assert.Contains("batchxai_bus_queue_messages{", coordinator);
    }

    [Fact]
    public async Task A_coordinator_killed_between_recording_a_run_and_publishing_it_leaves_the_run_to_the_sweep()
    {
        const int Small = 64;
        var dataset = await stack.DatasetAsync("crash", Small, seed: 89);
        var (crashing, client) = await stack.StartExtraCoordinatorAsync("coordinator-crashing",
            new Dictionary<string, string> { ["BATCHXAI_" + FaultTestHooks.ExitAfterRecording] = "1" });
        using (client)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.StartRunAsync(new StartRunRequest(dataset, stack.Model.ManifestPath, FaultStack.Methods, BatchSize: FaultStack.BatchSize)));
        }
        var (exitCode, _) = await crashing.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exitCode);
        var runId = Assert.Single(await stack.RunIdsAsync(dataset));
        output.WriteLine($"{crashing.Name} killed itself (exit {exitCode}) after recording run {runId}, before publishing any batch");
        // Nothing was queued: only the stack coordinator's sweep can finish the run.
        var run = await stack.WaitAsync(runId, RunLimit);
        await AssertExactlyOnceAsync(run, "coordinator killed between recording and publishing", Small);
        Assert.Contains("stalled", run.Error);
    }

    private async Task AssertExactlyOnceAsync(RunView run, string fault, int images = Images)
    {
        var counts = await stack.CountAsync(run.Id);
        long deadLettered = await stack.DeadLetteredAsync();
        long duplicated = counts.PerMethod.Sum(m => m.Rows - m.Images);
        output.WriteLine($"{fault}: run {run.Status}; {run.Explained} explained, {run.Failed} failed of {run.Expected}; {duplicated} duplicated; {counts}; " +
            $"{stack.RedeliveryLines} delayed redeliveries so far; {deadLettered} dead-lettered");
        Assert.True(run.Status == RunStatus.Completed, $"run {run.Status}: {run.Error}\n{stack.Logs}");
        Assert.Equal((images, images, 0), (run.Expected, run.Explained, run.Failed));
        Assert.Equal(FaultStack.Methods.Order(StringComparer.Ordinal).Select(m => (m, (long)images, (long)images)).ToList(), counts.PerMethod);
        Assert.Empty(counts.Failures);
        Assert.True(counts.ClassViews > 0, "no class views");
        Assert.Empty(counts.ClassViewRepeats);
        Assert.True(deadLettered == 0, $"{deadLettered} dead-lettered:\n{await stack.DeadLetterReportAsync()}\n{stack.Logs}");
    }
}
