using BatchXai.Contracts;
using BatchXai.Distributed.Coordinator;
using BatchXai.Http;
using BatchXai.Synthetic;
using BatchXai.Tests.Storage;
using Xunit.Abstractions;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// SIGTERM, as docker stop and k8s send it, to real service processes: each stops taking work,
/// finishes or releases what it has in flight and exits 0 within its grace period; a worker
/// stopped mid-run loses and doubles no image.
/// </summary>
[Collection(DistributedStackCollection.Name)]
public sealed class GracefulShutdownTests(DistributedStack stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(ShutdownGrace.DefaultSeconds);

    [Fact]
    public async Task A_worker_stopped_mid_run_exits_0_in_its_grace_period_and_the_run_completes_with_every_image_once_per_method()
    {
        const int Images = 160;
        using var data = new TempFolder("sigterm-data");
        SampleDatasetWriter.Write(data.Path, Images, seed: 61, new SampleDataOptions { Size = 96 });
        var dataset = await stack.UploadDatasetAsync(data.Path, "datasets/sigterm");
        // A worker of its own beside the stack's two: the stack stays whole for the other tests.
        int port = ServiceProcess.FreePort();
        using var victim = new ServiceProcess("worker-stopped", port, stack.Environment, "worker", "--port", port.ToString());
        await victim.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        var started = await stack.Client.StartRunAsync(new StartRunRequest(dataset, stack.Model.ManifestPath, DistributedStack.SyntheticMethods, BatchSize: 16));

        // Mid-run and mid-batch: a fresh worker loads the model when its first batch arrives.
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (!victim.Output.Contains("loaded on"))
            await Task.Delay(50, limit.Token);
        victim.Terminate();
        var progress = await stack.Client.RunAsync(started.Id, limit.Token);
        Assert.True(progress.Explained < Images, $"the run finished before the signal ({progress.Explained} explained): nothing was in flight");

        var (exitCode, took) = await victim.WaitForExitAsync(Grace + TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"{victim.Name} exited with {exitCode}:\n{victim.Output}");
        Assert.True(took < Grace, $"{victim.Name} took {took} to stop (grace {Grace})");
        Assert.Contains("batchxai worker: stopped", victim.Output);
        output.WriteLine($"{victim.Name}: SIGTERM at {progress.Explained}/{Images} explained, exit {exitCode} after {took.TotalSeconds:F2} s (grace {Grace.TotalSeconds} s)");

        // The stack's workers finish the run: every image explained exactly once per method, none failed.
        var run = await stack.WaitAsync(started.Id);
        Assert.True(run.Status == RunStatus.Completed, $"run {run.Status}: {run.Error}\n{stack.Logs}");
        Assert.Equal((Images, Images, 0), (run.Expected, run.Explained, run.Failed));
        Assert.Equal(DistributedStack.ExactlyOncePerMethod(Images), await stack.RowsPerMethodAsync(run.Id));
        Assert.Empty(await stack.Database.Store.FailuresAsync(run.Id));
    }

    [Fact]
    public async Task A_worker_whose_grace_period_ends_mid_batch_releases_the_batch_to_another_worker_and_nothing_is_lost_or_doubled()
    {
        const int Images = 96;
        var grace = TimeSpan.FromSeconds(2);
        using var data = new TempFolder("release-data");
        SampleDatasetWriter.Write(data.Path, Images, seed: 67, new SampleDataOptions { Size = 96 });
        var dataset = await stack.UploadDatasetAsync(data.Path, "datasets/release");
        var environment = stack.Environment.ToDictionary();
        environment[ShutdownGrace.Variable] = ((int)grace.TotalSeconds).ToString();
        int port = ServiceProcess.FreePort();
        using var worker = new ServiceProcess("worker-short-grace", port, environment, "worker", "--port", port.ToString());
        await worker.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        var started = await stack.Client.StartRunAsync(new StartRunRequest(dataset, stack.Model.ManifestPath, DistributedStack.SyntheticMethods, BatchSize: 16));
        // A fresh worker loads the model when its first batch arrives: then it holds a batch that takes
        // longer than 80% of 2 s here, so the grace period ends mid-batch and the batch is cancelled.
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (!worker.Output.Contains("loaded on"))
            await Task.Delay(50, limit.Token);
        worker.Terminate();
        var (exitCode, took) = await worker.WaitForExitAsync(grace + TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"{worker.Name} exited with {exitCode}:\n{worker.Output}");
        output.WriteLine($"{worker.Name}: exit {exitCode} {took.TotalSeconds:F2} s after SIGTERM (grace {grace.TotalSeconds} s)");
        foreach (var line in worker.Output.Split('\n').Where(l => l.Contains("warn") || l.Contains("fail") || l.Contains("stopp")))
            output.WriteLine("  " + line);

        var run = await stack.WaitAsync(started.Id);
        Assert.True(run.Status == RunStatus.Completed, $"run {run.Status}: {run.Error}\n{stack.Logs}\n{worker.Output}");
        Assert.Equal((Images, Images, 0), (run.Expected, run.Explained, run.Failed));
        Assert.Equal(DistributedStack.ExactlyOncePerMethod(Images), await stack.RowsPerMethodAsync(run.Id));
        Assert.Empty(await stack.Database.Store.FailuresAsync(run.Id));
        Assert.True(took < grace + TimeSpan.FromSeconds(5), $"{worker.Name} took {took} to stop (grace {grace})");
    }

    [Fact]
    public async Task Coordinator_aggregator_and_dashboard_exit_0_within_their_grace_period_on_sigterm()
    {
        var environment = stack.Environment.ToDictionary();
        // The dashboard reads the stack's PostgreSQL database (a connection string, as compose gives it).
        environment["BATCHXAI_DB"] = stack.Database.ConnectionString;
        int Port() => ServiceProcess.FreePort();
        int coordinatorPort = Port(), aggregatorPort = Port(), dashboardPort = Port();
        var services = new[]
        {
            new ServiceProcess("coordinator-2", coordinatorPort, environment, "coordinator", "--port", coordinatorPort.ToString()),
            new ServiceProcess("aggregator-2", aggregatorPort, environment, "aggregator", "--port", aggregatorPort.ToString()),
            new ServiceProcess("serve", dashboardPort, environment, "serve", "--port", dashboardPort.ToString()),
        };
        try
        {
            await Task.WhenAll(services.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
            foreach (var service in services) service.Terminate();
            foreach (var service in services)
            {
                var (exitCode, took) = await service.WaitForExitAsync(Grace + TimeSpan.FromSeconds(30));
                Assert.True(exitCode == 0, $"{service.Name} exited with {exitCode}:\n{service.Output}");
                Assert.True(took < Grace, $"{service.Name} took {took} to stop (grace {Grace})");
                output.WriteLine($"{service.Name}: exit {exitCode} {took.TotalSeconds:F2} s after SIGTERM");
            }
        }
        finally
        {
            foreach (var service in services) service.Dispose();
        }
        // The stack's own coordinator still answers: the second one's stop touched nothing shared.
        await stack.Client.RunsAsync();
    }
}
