using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Schedules;
using BatchXai.Http.Access;
using BatchXai.Http.Headers;
using BatchXai.Imaging;
using BatchXai.Tests.Dashboard.Browser;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Tests.Storage;
using Xunit.Abstractions;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// Hangfire's dashboard under a real coordinator process, opened with the API key in headless Chromium: its pages
/// (overview with its charts, recurring jobs with a schedule on it, servers, succeeded jobs) load Hangfire's own
/// stylesheets and scripts and the content security policy blocks nothing — under /hangfire only, the policy admits
/// the inline styles and the data: favicon Hangfire's pages carry; the rest of the API keeps the strict one.
/// Screenshots: out/test-artifacts/dashboard/hangfire-*.png.
/// </summary>
public sealed class HangfireDashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private readonly S3TestBucket _bucket = new();
    private readonly string _prefix = $"hc{Guid.NewGuid():N}"[..9] + "-";
    private ServiceProcess? _coordinator;
    private FixtureModel? _model;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await _bucket.InitializeAsync();
        _model = new FixtureModel(GraphFixtures.GapLinear, fundusCrop: true);
    }

    [Fact]
    public async Task Hangfire_pages_render_under_the_coordinator_s_content_security_policy()
    {
        BrowserScript.AssertInstalled();
        var artefacts = BrowserScript.Artefacts();

        string key = $"key-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>(DistributedServices.ServiceEnvironment(_database.ConnectionString, _prefix, _bucket.Name, key))
        {
            ["BATCHXAI_MODELS_DIR"] = _model!.Folder,
            [$"BATCHXAI_{RequestLimits.ModelsSetting}"] = _model.Folder,
        };
        int port = ServiceProcess.FreePort();
        _coordinator = new ServiceProcess("coordinator", port, environment, "coordinator", "--port", port.ToString());
        await _coordinator.WaitHealthyAsync(TimeSpan.FromMinutes(3));
        var baseUrl = $"http://127.0.0.1:{port}";
        // A schedule, so the recurring page lists a job (nightly: it does not fire during the test).
        using (var client = new CoordinatorClient(new Uri(baseUrl), key))
            await client.CreateScheduleAsync(new CreateScheduleRequest($"nightly-{Guid.NewGuid():N}", "0 0 2 * * *",
                new StartRunRequest($"s3://{_bucket.Name}/incoming", _model.ManifestPath, ["cam"], BatchSize: 16)));

        var seen = await BrowserScript.RunAsync("hangfire-csp.cjs", [baseUrl, ApiAccess.ApiKeyHeader, key, artefacts]);
        foreach (var page in seen["pages"]!.AsArray()) output.WriteLine($"{(string)page!["name"]!}: {page.ToJsonString()}");
        foreach (var page in seen["pages"]!.AsArray())
        {
            string name = (string)page!["name"]!;
            Assert.Equal(200, (int)page["status"]!);
            Assert.Equal(ScheduleHosting.DashboardContentSecurityPolicy, (string)page["policy"]!);
            Assert.Empty(page["blocked"]!.AsArray());
            Assert.Empty(page["errors"]!.AsArray());
            Assert.Empty(page["failed"]!.AsArray());
            Assert.Equal("fixed", (string)page["navbarPosition"]!);
            Assert.True((int)page["stylesheets"]! >= 1, $"{name}: no stylesheet");
            Assert.True((bool)page["jquery"]! && (bool)page["hangfire"]!, $"{name}: Hangfire's scripts did not run");
        }
        Assert.True((int)seen["pages"]![0]!["charts"]! >= 1, "the overview draws its charts");
        foreach (var shot in new[] { "hangfire-overview.png", "hangfire-recurring.png" })
        {
            var picture = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(artefacts, shot)));
            Assert.True(picture.Width >= 1000 && picture.Height >= 600, $"{shot}: {picture.Width}x{picture.Height}");
            output.WriteLine($"screenshot {Path.Combine(artefacts, shot)} {picture.Width}x{picture.Height}");
        }

        // The relaxed policy is Hangfire's alone: the API keeps the strict one.
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Add(ApiAccess.ApiKeyHeader, key);
        using var runs = await http.GetAsync("/runs");
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, runs.Headers.GetValues("Content-Security-Policy").Single());
    }

    public async Task DisposeAsync()
    {
        _coordinator?.Dispose();
        await BrokerQueues.DeleteAsync(DistributedServices.RabbitMq(_prefix), RabbitMqSettings.DefaultRedeliveryIntervals);
        _model?.Dispose();
        await _bucket.DisposeAsync();
        await _database.DisposeAsync();
    }
}
