using System.Globalization;
using System.Text.Json.Nodes;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Dashboard;
using BatchXai.Http.Access;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Dashboard;
using BatchXai.Tests.Imaging;
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

    [Fact]
    public async Task Model_metrics_per_finding_match_numpy_and_are_served_for_the_dashboard()
    {
        var model = (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/metrics"))["model"]!;
        var findings = model["findings"]!;
        Assert.Equal(exports.Keys.Length, (int)model["images"]!);
        Assert.Equal(0.5, (double)findings["threshold"]!);
        Assert.Null(model["accuracy"]); // single-label notions are absent on a multi-label run
        Assert.Empty(model["confusion"]!.AsArray());

        // numpy: torch's float64 probabilities against the labelled findings; AUC by counting every (positive, negative)
        // pair, ties one half; sensitivity / specificity with a finding present at p >= 0.5; macro means over defined values.
        var lines = PythonReference.Run(FindingMetricsScript, Path.Combine(exports.Folder, "probabilities.npy"), Path.Combine(exports.Folder, "keys.json"), "0.5")
            .Split('\n');
        static double? Number(string v) => v == "nan" ? null : double.Parse(v, CultureInfo.InvariantCulture);
        var rows = findings["findings"]!.AsArray();
        Assert.Equal(MultiLabelExports.Findings.Length, rows.Count);
        for (int f = 0; f < rows.Count; f++)
        {
            var expected = lines[f].Split(' ').Select(Number).ToArray();
            var row = rows[f]!;
            var actual = new[] { (double?)row["positives"], (double?)row["prevalence"], (double?)row["auc"], (double?)row["sensitivity"], (double?)row["specificity"] };
            output.WriteLine($"{MultiLabelExports.Findings[f]}: ours {string.Join(" ", actual.Select(v => v?.ToString("0.####", CultureInfo.InvariantCulture) ?? "n/a"))}" +
                $" · numpy {lines[f]}");
            Assert.Equal(MultiLabelExports.Findings[f], (string)row["className"]!);
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.Equal(expected[k] is null, actual[k] is null);
                if (expected[k] is double e) Assert.Equal(e, actual[k]!.Value, 12);
            }
        }
        var macro = lines[^1].Split(' ').Select(Number).ToArray();
        Assert.Equal(macro[0]!.Value, (double)findings["macroAuc"]!, 12);
        Assert.Equal(macro[1]!.Value, (double)findings["macroSensitivity"]!, 12);
        Assert.Equal(macro[2]!.Value, (double)findings["macroSpecificity"]!, 12);
        Assert.Equal(macro[0]!.Value, (double)model["macroAuc"]!, 12);
    }

    private const string FindingMetricsScript = """
import sys, json
import numpy as np
p = np.load(sys.argv[1]); labelled = json.load(open(sys.argv[2]))['labelled']; t = float(sys.argv[3])
n, F = p.shape
macro = [[], [], []]
for f in range(F):
    y = np.array([f in l for l in labelled]); s = p[:, f]; called = s >= t
    P, N = int(y.sum()), int((~y).sum())
    auc = float('nan') if P == 0 or N == 0 else sum((a > b) + 0.5 * (a == b) for a in s[y] for b in s[~y]) / (P * N)
    sens = float('nan') if P == 0 else (called & y).sum() / P
    spec = float('nan') if N == 0 else (~called & ~y).sum() / N
    for k, v in enumerate([auc, sens, spec]):
        if not np.isnan(v): macro[k].append(v)
    print(' '.join(repr(float(v)) for v in [P, P / n, auc, sens, spec]))
print(' '.join(repr(float(np.mean(m))) if m else 'nan' for m in macro))
""";

    [Fact]
    public async Task Correct_and_wrong_follow_each_finding_s_predicted_presence_against_its_label()
    {
        // An (image, finding) pair is correct when the finding's presence by torch's probability (>= 0.5) equals its label;
        // an image is correct when all its explained pairs are, wrong when any is.
        var expected = exports.PredictedPairs(0.5);
        bool PairCorrect(string key, int f)
        {
            int i = Array.IndexOf(exports.Keys, key);
            return exports.Labelled[i].Contains(f) == exports.Probability(i, f) >= 0.5;
        }
        var wrong = expected.Where(p => !PairCorrect(p.Key, p.Finding)).Select(p => p.Key).ToHashSet();
        var correct = expected.Select(p => p.Key).Where(k => !wrong.Contains(k)).ToHashSet();
        Assert.NotEmpty(wrong);
        Assert.NotEmpty(correct);
        async Task<List<string>> Listed(string query) =>
            [.. (await DashboardRun.GetJsonAsync(_client, $"{RunPath}/image-keys?{query}"))["keys"]!.AsArray().Select(k => (string)k!)];
        Assert.Equal(correct.Order(StringComparer.Ordinal), await Listed("filter=correct"));
        Assert.Equal(wrong.Order(StringComparer.Ordinal), await Listed("filter=wrong"));
        // With a finding chosen, that finding's pair decides.
        for (int f = 0; f < MultiLabelExports.Findings.Length; f++)
        {
            var ofFinding = expected.Where(p => p.Finding == f).ToList();
            Assert.Equal(ofFinding.Where(p => PairCorrect(p.Key, f)).Select(p => p.Key).Order(StringComparer.Ordinal), await Listed($"filter=correct&class={f}"));
            Assert.Equal(ofFinding.Where(p => !PairCorrect(p.Key, f)).Select(p => p.Key).Order(StringComparer.Ordinal), await Listed($"filter=wrong&class={f}"));
        }
        // The page says so per image and per (method, finding).
        var page = await DashboardRun.GetJsonAsync(_client, $"{RunPath}/images?filter=wrong&limit=500");
        Assert.Equal(wrong.Count, (int)page["total"]!);
        foreach (var item in page["items"]!.AsArray())
        {
            var key = (string)item!["imageKey"]!;
            Assert.False((bool)item["correct"]!);
            foreach (var r in item["results"]!.AsArray())
                Assert.Equal(PairCorrect(key, (int)r!["finding"]!), (bool)r["findingCorrect"]!);
        }
        output.WriteLine($"correct {correct.Count} images, wrong {wrong.Count} ({expected.Count(p => !PairCorrect(p.Key, p.Finding))} wrong pairs of {expected.Count})");
    }
}
