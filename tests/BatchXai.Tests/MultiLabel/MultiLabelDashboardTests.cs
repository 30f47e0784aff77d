using System.Text.Json.Nodes;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Dashboard;
using BatchXai.Http.Access;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Dashboard;
using Microsoft.AspNetCore.Builder;
using Xunit.Abstractions;

namespace BatchXai.Tests.MultiLabel;

/// <summary>
/// The dashboard API on a multi-label run (CAM and the signed gradient × input): an image is listed once, with a result per
/// (method, finding) that names its finding and serves that finding's overlay (the file the worker wrote under the finding
/// folder); audit examples and cluster members point at served overlays; a signed method's score histogram spans [−1, 1].
/// </summary>
public sealed class MultiLabelDashboardTests(MultiLabelExports exports, ITestOutputHelper output) : IClassFixture<MultiLabelExports>, IAsyncLifetime
{
    private const string ApiKey = "ml-key-5b7e";
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-multilabel-dashboard-").FullName;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private Guid _runId;
    private string Out => Path.Combine(_root, "out");

    public async Task InitializeAsync()
    {
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(exports.Data, exports.Manifest, "cam,gradxinput", Out), EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, outcome.Run?.Status);
        _runId = outcome.Run!.Id;
        _app = await DashboardApp.BuildAsync(new DashboardOptions { Database = Path.Combine(Out, "batchxai.db"), Port = 0, Access = new ApiAccess { ApiKey = ApiKey } });
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
        _client.DefaultRequestHeaders.Add(ApiAccess.ApiKeyHeader, ApiKey);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string RunPath => $"/api/runs/{_runId:D}";

    /// <summary>The overlay the worker wrote for (method, image, finding), read from the results folder.</summary>
    private byte[] StoredOverlay(string method, string key, int finding) =>
        File.ReadAllBytes(Path.Combine(Out, _runId.ToString("D"), method, $"{finding}_{MultiLabelExports.Findings[finding]}", Path.ChangeExtension(key, ".png")));

    private Task<byte[]> ServedAsync(string url) => DashboardRun.GetBytesAsync(_client, url);

    [Fact]
    public async Task Each_finding_of_an_image_is_listed_with_its_own_overlay()
    {
        var expected = exports.PredictedPairs(0.5);
        var page = await DashboardRun.GetJsonAsync(_client, $"{RunPath}/images?limit=500");
        Assert.Equal(exports.Keys.Length, (int)page["total"]!);
        var items = page["items"]!.AsArray();
        Assert.Equal(exports.Keys.Order(StringComparer.Ordinal), items.Select(i => (string)i!["imageKey"]!));
        Assert.Equal(exports.Keys.Length, (int)(await DashboardRun.GetJsonAsync(_client, $"{RunPath}/image-keys"))["total"]!);
        // class=f: the images explained for finding f.
        for (int f = 0; f < MultiLabelExports.Findings.Length; f++)
            Assert.Equal(expected.Where(p => p.Finding == f).Select(p => p.Key).Order(StringComparer.Ordinal),
                (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/image-keys?class={f}"))["keys"]!.AsArray().Select(k => (string)k!));

        int served = 0;
        foreach (var listed in items)
        {
            var key = (string)listed!["imageKey"]!;
            var single = await DashboardRun.GetJsonAsync(_client, $"{RunPath}/image?key={Uri.EscapeDataString(key)}");
            foreach (var item in new[] { listed, single })
            {
                var results = item["results"]!.AsArray();
                var pictures = item["pictures"]!.AsArray().Where(p => (string)p!["kind"]! == "overlay").ToDictionary(p => (string)p!["folder"]!, p => (string)p!["url"]!);
                foreach (var method in new[] { "cam", "gradxinput" })
                {
                    var mine = results.Where(r => (string)r!["method"]! == method).ToList();
                    Assert.Equal(expected.Where(p => p.Key == key).Select(p => p.Finding).Order(), mine.Select(r => (int)r!["finding"]!).Order());
                    foreach (var r in mine)
                    {
                        int finding = (int)r!["finding"]!;
                        Assert.Equal(MultiLabelExports.Findings[finding], (string)r["findingName"]!);
                        Assert.Equal(method == "gradxinput", (bool)r["signed"]!);
                        var folder = (string)r["folder"]!;
                        Assert.Equal($"{method}/{finding}_{MultiLabelExports.Findings[finding]}", folder);
                        Assert.Equal((string)r["overlayUrl"]!, pictures[folder]);
                        Assert.Equal(StoredOverlay(method, key, finding), await ServedAsync((string)r["overlayUrl"]!));
                        served++;
                    }
                }
            }
        }
        output.WriteLine($"{served} (image, method, finding) overlays served, as stored, through /images and /image; {expected.Count} pairs per method");
        Assert.Equal(2 * 2 * expected.Count, served);
    }

    [Fact]
    public async Task Audit_examples_and_cluster_members_point_at_served_overlays_of_their_finding()
    {
        var urls = new List<(string Url, int Finding)>();
        foreach (var f in (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/audit")).AsArray())
            foreach (var e in f!["examples"]!.AsArray())
                urls.Add(((string)e!["overlayUrl"]!, (int)f["classIndex"]!));
        foreach (var c in (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/clusters?members=200")).AsArray())
            foreach (var m in c!["members"]!.AsArray())
                urls.Add(((string)m!["overlayUrl"]!, (int)c["classIndex"]!));
        output.WriteLine($"{urls.Count} audit example and cluster member overlays");
        foreach (var (url, finding) in urls)
        {
            Assert.Contains(Uri.EscapeDataString($"{finding}_{MultiLabelExports.Findings[finding]}"), url);
            await ServedAsync(url);
        }
    }

    [Fact]
    public async Task A_signed_method_s_score_histogram_spans_minus_one_to_one()
    {
        var distributions = (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/distributions")).AsArray();
        Assert.Contains(distributions, d => (string)d!["method"]! == "gradxinput");
        Assert.Contains(distributions, d => (string)d!["method"]! == "cam");
        foreach (var d in distributions)
        {
            bool signed = (string)d!["method"]! == "gradxinput";
            Assert.Equal(signed, (bool)d["signed"]!);
            Assert.Equal((signed ? -1.0 : 0.0, 1.0), ((double)d["scores"]!["min"]!, (double)d["scores"]!["max"]!));
        }
        foreach (var v in (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/classes")).AsArray())
            Assert.Equal((string)v!["method"]! == "gradxinput", (bool)v["signed"]!);
    }
}
