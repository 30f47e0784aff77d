using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchXai.Cli;
using BatchXai.Dashboard.Review;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Dashboard;

/// <summary>
/// The reviewer's views (issue 13) over the fixture's runs, checked against the stored rows and
/// files recounted here (and numpy for the map differences): verdicts, clusters, model metrics and
/// faithfulness ranking, the image view's field of view and key list, run comparison, the audit report.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ReviewApiTests(DashboardRun fixture)
{
    private readonly HttpClient _client = fixture.Client();
    private string RunPath => $"/api/runs/{fixture.Run.Id:D}";

    private Task<JsonNode> GetJsonAsync(string path) => DashboardRun.GetJsonAsync(_client, path);

    private static int Rank(string severity) => severity switch { "critical" => 2, "warning" => 1, _ => 0 };

    [Fact]
    public async Task Each_class_gets_the_verdict_of_its_most_severe_finding_and_that_finding()
    {
        var findings = await fixture.Store.AuditFindingsAsync(fixture.Run.Id);
        var verdicts = (await GetJsonAsync($"{RunPath}/verdicts")).AsArray();
        var names = RunInfo.Of(fixture.Run).ClassNames;
        Assert.Equal(names.Length, verdicts.Count);
        foreach (var v in verdicts)
        {
            int c = (int)v!["classIndex"]!;
            var mine = findings.Where(f => f.ClassIndex == c).ToList();
            int worst = mine.Count == 0 ? -1 : mine.Max(f => Rank(f.Severity));
            Assert.Equal(worst switch { 2 => "shortcut suspected", 1 => "review", _ => "clean" }, (string)v["verdict"]!);
            Assert.Equal(mine.Count(f => f.Severity == "warning"), (int)v["warnings"]!);
            if (worst >= 0)
            {
                var driver = v["drivenBy"]!;
                Assert.Equal(worst, Rank((string)driver["severity"]!));
                Assert.Contains(mine, f => f.Kind == (string)driver["kind"]! && f.Method == (string)driver["method"]! && f.Message == (string)driver["message"]!);
            }
        }
    }

    [Fact]
    public async Task Model_metrics_and_confusion_matrix_recount_the_stored_predictions()
    {
        var images = (await fixture.Store.AllResultsAsync(fixture.Run.Id)).Where(r => r.Label is not null)
            .GroupBy(r => r.ImageKey).Select(g => g.First()).ToList();
        var model = (await GetJsonAsync($"{RunPath}/metrics"))["model"]!;
        var confusion = model["confusion"]!.AsArray().Select(row => row!.AsArray().Select(n => (long)n!).ToArray()).ToArray();
        for (int i = 0; i < confusion.Length; i++)
            for (int j = 0; j < confusion.Length; j++)
                Assert.Equal(images.Count(r => r.Label == i && r.Predicted == j), confusion[i][j]);
        Assert.Equal(images.Count, (int)model["images"]!);
        Assert.Equal((double)images.Count(r => r.Label == r.Predicted) / images.Count, (double)model["accuracy"]!, 12);
        foreach (var c in model["classes"]!.AsArray())
        {
            int k = (int)c!["classIndex"]!, support = images.Count(r => r.Label == k);
            Assert.Equal(support, (int)c["support"]!);
            if (support > 0) Assert.Equal((double)images.Count(r => r.Label == k && r.Predicted == k) / support, (double)c["recall"]!, 12);
        }
    }

    [Fact]
    public async Task Faithfulness_ranking_orders_the_methods_by_their_mean_over_the_images()
    {
        var stored = await fixture.Store.ImageMetricsAsync(fixture.Run.Id);
        var rankings = (await GetJsonAsync($"{RunPath}/metrics"))["rankings"]!.AsArray();
        foreach (var metric in new[] { "deletion_auc", "insertion_auc" })
        {
            var ranking = rankings.Single(r => (string)r!["metric"]! == metric && (int)r["classIndex"]! == -1)!;
            var expected = new[] { "crm", "cam" }.Select(m => (Method: m, Mean: stored.Where(r => r.Method == m && r.Metric == metric && r.Value is double v && double.IsFinite(v)).Average(r => r.Value!.Value)))
                .OrderBy(x => metric == "deletion_auc" ? x.Mean : -x.Mean).ToList();
            var methods = ranking["methods"]!.AsArray();
            Assert.Equal(expected.Select(e => e.Method), methods.Select(m => (string)m!["method"]!));
            Assert.Equal([1, 2], methods.Select(m => (int)m!["rank"]!));
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Mean, (double)methods[i]!["mean"]!, 9);
            Assert.Equal(metric == "deletion_auc", (bool)ranking["lowerIsBetter"]!);
        }
    }

    [Fact]
    public async Task Clusters_show_the_stored_spray_rows_with_their_mean_maps_and_members()
    {
        var rows = await fixture.Store.SprayClustersAsync(fixture.Run.Id);
        Assert.NotEmpty(rows);
        var views = (await GetJsonAsync($"{RunPath}/clusters?members=3")).AsArray();
        Assert.Equal(rows.Count, views.Count);
        foreach (var row in rows)
        {
            var v = views.Single(x => (string)x!["method"]! == row.Method && (int)x["classIndex"]! == row.ClassIndex && (int)x["clusterIndex"]! == row.ClusterIndex)!;
            Assert.Equal((row.Size, row.Candidate, row.DistanceToMain), ((int)v["size"]!, (bool)v["candidate"]!, (double)v["distanceToMain"]!));
            var members = JsonSerializer.Deserialize<string[]>(row.MembersJson)!;
            Assert.Equal(members.Length, (int)v["memberCount"]!);
            Assert.Equal(members.Take(3), v["members"]!.AsArray().Select(m => (string)m!["imageKey"]!));
            using var png = await _client.GetAsync((string)v["meanMapUrl"]!);
            Assert.Equal(File.ReadAllBytes(new Uri(row.PngUri).LocalPath), await png.Content.ReadAsByteArrayAsync());
            foreach (var m in v["members"]!.AsArray())
            {
                using var overlay = await _client.GetAsync((string)m!["overlayUrl"]!);
                Assert.True(overlay.IsSuccessStatusCode, (string)m["overlayUrl"]!);
            }
        }
    }

    [Fact]
    public async Task The_image_view_gets_the_stored_field_of_view_and_the_filtered_key_list()
    {
        var rows = await fixture.Store.ResultsAsync(fixture.Run.Id, "crm");
        var wrong = rows.Where(r => r.Label is not null && r.Label != r.Predicted).Select(r => r.ImageKey).Order(StringComparer.Ordinal).ToList();
        var keys = await GetJsonAsync($"{RunPath}/image-keys?filter=wrong");
        Assert.Equal(wrong, keys["keys"]!.AsArray().Select(k => (string)k!));
        Assert.Equal(wrong.Count, (int)keys["total"]!);

        var fovs = await fixture.Store.FieldsOfViewAsync(fixture.Run.Id);
        var stored = fovs[wrong[0]];
        var fov = (await GetJsonAsync($"{RunPath}/image?key={Uri.EscapeDataString(wrong[0])}"))["fieldOfView"]!;
        Assert.Equal((stored.Kind, stored.Width, stored.CenterX, stored.Radius), ((string)fov["kind"]!, (int)fov["width"]!, (double)fov["centerX"]!, (double)fov["radius"]!));
    }

    [Fact]
    public async Task Two_runs_compare_by_class_map_differences_that_numpy_agrees_with_and_metric_deltas()
    {
        var (a, b) = (fixture.Comparison.Id, fixture.Run.Id);
        var comparison = await GetJsonAsync($"/api/compare?a={a:D}&b={b:D}");
        Assert.True((bool)comparison["sameDataset"]!);
        var viewsA = await fixture.Store.ClassAggregatesAsync(a);
        var viewsB = await fixture.Store.ClassAggregatesAsync(b);
        var maps = comparison["maps"]!.AsArray();
        Assert.Equal(viewsA.Count(va => viewsB.Any(vb => vb.Method == va.Method && vb.ClassIndex == va.ClassIndex)), maps.Count);
        Assert.NotEmpty(maps);
        foreach (var m in maps.Take(3))
        {
            var d = m!["delta"]!;
            var (va, vb) = (viewsA.Single(v => v.Method == (string)d["method"]! && v.ClassIndex == (int)d["classIndex"]!),
                viewsB.Single(v => v.Method == (string)d["method"]! && v.ClassIndex == (int)d["classIndex"]!));
            var numpy = PythonReference.Run("""
                import sys, numpy as np
                a = np.load(sys.argv[1]).astype(np.float64); b = np.load(sys.argv[2]).astype(np.float64)
                a = np.clip(a, 0, None) / a.max(); b = np.clip(b, 0, None) / b.max()
                print(np.abs(a - b).mean(), np.corrcoef(a.ravel(), b.ravel())[0, 1])
                """, new Uri(va.NpyUri).LocalPath, new Uri(vb.NpyUri).LocalPath).Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(numpy[0], (double)d["difference"]!["meanAbsDifference"]!, 9);
            Assert.Equal(numpy[1], (double)d["difference"]!["correlation"]!, 9);
            using var picture = await _client.GetAsync((string)m["differenceUrl"]!);
            var decoded = ImageDecoder.Decode(await picture.Content.ReadAsByteArrayAsync());
            Assert.Equal((160, 160), (decoded.Width, decoded.Height));
        }
        double Accuracy(List<ModelMetricRow> rows) => rows.Single(r => r.Metric == "accuracy").Value!.Value;
        var accuracy = comparison["metrics"]!.AsArray().Single(x => (string)x!["scope"]! == "model" && (string)x["metric"]! == "accuracy")!;
        Assert.Equal(Accuracy(await fixture.Store.ModelMetricsAsync(b)) - Accuracy(await fixture.Store.ModelMetricsAsync(a)), (double)accuracy["delta"]!, 12);

        using var unknown = await _client.GetAsync($"/api/compare?a={a:D}&b={Guid.NewGuid():D}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_audit_report_is_one_self_contained_html_file_from_the_dashboard_and_from_export()
    {
        using var response = await _client.GetAsync($"{RunPath}/report.html");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(AuditReport.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        var served = await response.Content.ReadAsStringAsync();

        var file = Path.Combine(fixture.Root, "report.html");
        Assert.Equal(ExitCodes.Ok, await Program.BuildRoot().Parse(["export", "report", "--out", fixture.Out, "--run", fixture.Run.Id.ToString("D"), "--file", file]).InvokeAsync());
        var exported = await File.ReadAllTextAsync(file);
        // The same report but for the minute it was written.
        static string Undated(string html) => Regex.Replace(html, @"report written [0-9: -]+ UTC", "");
        Assert.Equal(Undated(served), Undated(exported));

        var names = RunInfo.Of(fixture.Run).ClassNames;
        for (int c = 0; c < names.Length; c++) Assert.Contains($"<tr><td>{c} {System.Net.WebUtility.HtmlEncode(names[c])}</td><td><span class=\"verdict", exported);
        var sources = Regex.Matches(exported, "<img [^>]*src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        var clusters = await fixture.Store.SprayClustersAsync(fixture.Run.Id);
        var views = await fixture.Store.ClassAggregatesAsync(fixture.Run.Id);
        Assert.True(sources.Count >= clusters.Count + views.Count, $"{sources.Count} pictures for {clusters.Count} clusters and {views.Count} class views");
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s));
        // Every embedded picture decodes.
        Assert.All(sources, s => Assert.True(ImageDecoder.Decode(Convert.FromBase64String(s["data:image/png;base64,".Length..])).Width > 0));
        Assert.DoesNotContain("<script", exported);
        Assert.Contains(fixture.Run.ModelSha256, exported);
        Assert.DoesNotContain("missing</span>", exported);
    }

    [Fact]
    public async Task Export_prints_the_report_as_pdf_with_chromium()
    {
        Assert.True(ReportPdf.FindChromium() is not null, "needs chromium: run `bash infra/setup.sh --test`");
        var file = Path.Combine(fixture.Root, "report.pdf");
        Assert.Equal(ExitCodes.Ok, await Program.BuildRoot().Parse(["export", "report", "--out", fixture.Out, "--file", file]).InvokeAsync());
        var pdf = File.ReadAllBytes(file);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.True(pdf.Length > 20_000, $"{pdf.Length} bytes");
    }
}
