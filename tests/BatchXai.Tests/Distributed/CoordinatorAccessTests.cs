using System.Net;
using System.Net.Http.Json;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Http.Access;
using BatchXai.Http.Headers;
using BatchXai.Synthetic;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// The coordinator API as a real process: every route but /health needs the key; run and schedule
/// requests stay inside the locations the operator allows; the CLI sends the key from the environment.
/// </summary>
[Collection(DistributedStackCollection.Name)]
public sealed class CoordinatorAccessTests(DistributedStack stack)
{
    private HttpClient Http(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.Coordinator.Port}") };
        if (apiKey is not null) client.DefaultRequestHeaders.Add(ApiAccess.ApiKeyHeader, apiKey);
        return client;
    }

    private StartRunRequest ValidRun(string? results = null, string? model = null, string? dataset = null) =>
        new(dataset ?? $"s3://{stack.Bucket.Name}/datasets/none", model ?? stack.Model.ManifestPath, ["cam"], results, BatchSize: 16);

    [Fact]
    public async Task Every_route_but_health_answers_401_without_the_key_or_with_a_wrong_one()
    {
        var id = Guid.NewGuid();
        var schedule = new CreateScheduleRequest("s", "0 0 2 * * ?", ValidRun());
        (HttpMethod Method, string Path, object? Body)[] routes =
        [
            (HttpMethod.Post, "/runs", ValidRun()), (HttpMethod.Get, "/runs", null), (HttpMethod.Get, $"/runs/{id}", null),
            (HttpMethod.Get, $"/runs/{id}/failures", null), (HttpMethod.Get, "/errors", null),
            (HttpMethod.Post, "/schedules", schedule), (HttpMethod.Get, "/schedules", null), (HttpMethod.Get, $"/schedules/{id}", null),
            (HttpMethod.Post, $"/schedules/{id}/trigger", null), (HttpMethod.Get, "/hangfire", null), (HttpMethod.Get, "/hangfire/recurring", null),
            (HttpMethod.Get, "/no-such-route", null),
        ];
        foreach (var key in new[] { null, "wrong-key", stack.ApiKey + "x" })
        {
            using var client = Http(key);
            foreach (var (method, path, body) in routes)
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: CoordinatorClient.Json) };
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with key '{key}': {(int)response.StatusCode}");
                Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
                Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            }
            using var health = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // With the key: answers, with the security headers; run data is never cached.
        using var keyed = Http(stack.ApiKey);
        using var runs = await keyed.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, runs.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", runs.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(runs.Headers.CacheControl?.NoStore, "GET /runs: Cache-Control no-store");
        Assert.Equal(HttpStatusCode.NotFound, (await keyed.GetAsync($"/runs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync("/errors")).StatusCode);
        // Hangfire's dashboard, behind the same check: the key opens it (Hangfire's own filter would refuse a non-local request).
        using var dashboard = await keyed.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Recurring", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Run_and_schedule_requests_outside_the_allowed_locations_are_refused_with_400_naming_the_rule()
    {
        var before = (await stack.Client.RunsAsync(500)).Count;
        var bucket = stack.Bucket.Name;
        using var outside = new TempFolder("outside");
        var foreignManifest = outside.Combine("model.json");
        File.Copy(stack.Model.ManifestPath, foreignManifest);
        // A link inside the models folder that leads out of it, and a folder link out of the allowed local results.
        var link = Path.Combine(stack.Model.Folder, $"escape-{Guid.NewGuid():N}.json");
        File.CreateSymbolicLink(link, foreignManifest);
        try
        {
            (StartRunRequest Request, string Field, string Rule)[] refused =
            [
                (ValidRun(results: "/tmp/anywhere"), "'results'", RequestLimits.ResultsSetting),
                (ValidRun(results: $"s3://other-{bucket}/results"), "'results'", RequestLimits.ResultsSetting),
                (ValidRun(results: $"s3://{bucket}/results-elsewhere"), "'results'", RequestLimits.ResultsSetting),
                (ValidRun(results: $"s3://{bucket}/results/../elsewhere"), "'results'", "'..'"),
                (ValidRun(model: foreignManifest), "'model'", RequestLimits.ModelsSetting),
                (ValidRun(model: "/etc/passwd"), "'model'", RequestLimits.ModelsSetting),
                (ValidRun(model: Path.Combine(stack.Model.Folder, "..", Path.GetFileName(outside.Path), "model.json")), "'model'", RequestLimits.ModelsSetting),
                (ValidRun(model: link), "'model'", RequestLimits.ModelsSetting),
                (ValidRun(dataset: $"s3://other-{bucket}/datasets/x"), "'dataset'", RequestLimits.DatasetsSetting),
                (ValidRun(dataset: outside.Path), "'dataset'", RequestLimits.DatasetsSetting),
                (ValidRun(dataset: $"file://{outside.Path}"), "'dataset'", RequestLimits.DatasetsSetting),
            ];
            foreach (var (request, field, rule) in refused)
            {
                var run = await Assert.ThrowsAsync<CoordinatorApiException>(() => stack.Client.StartRunAsync(request));
                Assert.True(run.Status == 400, $"{request}: {run.Status} {run.Message}");
                Assert.Contains(field, run.Message);
                Assert.Contains(rule, run.Message);
                var schedule = await Assert.ThrowsAsync<CoordinatorApiException>(() =>
                    stack.Client.CreateScheduleAsync(new CreateScheduleRequest($"s-{Guid.NewGuid():N}", "0 0 2 * * ?", request)));
                Assert.Equal(400, schedule.Status);
                Assert.Contains(field, schedule.Message);
            }
        }
        finally { File.Delete(link); }
        // Nothing was recorded (or queued) for any of them.
        Assert.Equal(before, (await stack.Client.RunsAsync(500)).Count);
    }

    [Fact]
    public async Task Submit_and_status_send_the_key_from_the_environment_and_say_which_variable_is_missing()
    {
        using var data = new TempFolder("cli-data");
        SampleDatasetWriter.Write(data.Path, 16, seed: 5, new SampleDataOptions { Size = 96 });
        var dataset = await stack.UploadDatasetAsync(data.Path, "datasets/cli");
        var url = $"http://127.0.0.1:{stack.Coordinator.Port}";
        var withKey = new Dictionary<string, string> { [CoordinatorAccess.Variables.ApiKey] = stack.ApiKey };

        var submit = await CliAsync(withKey, "submit", "--coordinator", url, "--dataset", dataset, "--model", stack.Model.ManifestPath,
            "--methods", "cam", "--batch-size", "16", "--wait", "--json");
        Assert.True(submit.ExitCode == 0, submit.Output);
        var run = System.Text.Json.JsonSerializer.Deserialize<RunView>(submit.Output.Split('\n').Last(l => l.StartsWith('{')), CoordinatorClient.Json)!;
        Assert.Equal(("completed", 16, 16), (run.Status, run.Expected, run.Explained));

        var status = await CliAsync(withKey, "status", run.Id.ToString("D"), "--coordinator", url);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains($"run {run.Id:D} completed", status.Output);

        foreach (var env in new[] { new Dictionary<string, string>(), new Dictionary<string, string> { [CoordinatorAccess.Variables.ApiKey] = "wrong" } })
        {
            var refused = await CliAsync(env, "status", run.Id.ToString("D"), "--coordinator", url);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains(CoordinatorAccess.Variables.ApiKey, refused.Output);
        }
    }

    [Fact]
    public async Task A_coordinator_asked_to_listen_beyond_loopback_without_credentials_refuses_to_start()
    {
        var environment = stack.Environment.Where(e => e.Key != CoordinatorAccess.Variables.ApiKey).ToDictionary();
        environment["BATCHXAI_HTTP_BIND"] = "0.0.0.0";
        using var coordinator = new ServiceProcess("open-coordinator", ServiceProcess.FreePort(), environment, "coordinator", "--port", "0");
        var (exitCode, _) = await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, exitCode);
        Assert.Contains(CoordinatorAccess.Variables.ApiKey, coordinator.Output);
    }

    /// <summary>Runs a batchxai command to its end with the stack's settings, the key variable as <paramref name="credentials"/> says.</summary>
    private async Task<(int ExitCode, string Output)> CliAsync(Dictionary<string, string> credentials, params string[] arguments)
    {
        var environment = stack.Environment.Where(e => e.Key != CoordinatorAccess.Variables.ApiKey).ToDictionary();
        foreach (var (k, v) in credentials) environment[k] = v;
        // A parent's variable would otherwise leak into the child: set it empty (counts as unset).
        environment.TryAdd(CoordinatorAccess.Variables.ApiKey, "");
        using var cli = new ServiceProcess(arguments[0], 0, environment, arguments);
        var (exitCode, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(5));
        return (exitCode, cli.Output);
    }
}
