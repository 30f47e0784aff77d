using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BatchXai.Tests.Dashboard;

/// <summary>The dashboard's JSON API over a finished run, checked against the rows and files the pipeline stored.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardApiTests(DashboardRun fixture)
{
    private readonly HttpClient _client = fixture.Client();
    private string RunPath => $"/api/runs/{fixture.Run.Id:D}";

    private Task<JsonNode> GetJsonAsync(string path) => DashboardRun.GetJsonAsync(_client, path);

    private Task<byte[]> GetBytesAsync(string url) => DashboardRun.GetBytesAsync(_client, url);

    [Fact]
    public async Task Runs_list_shows_the_run_with_its_counts_and_progress()
    {
        var run = (await GetJsonAsync("/api/runs")).AsArray().Single(r => (string)r!["id"]! == fixture.Run.Id.ToString("D"))!;
        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal((DashboardRun.Images, DashboardRun.Images - 2, 2), ((int)run["expected"]!, (int)run["explained"]!, (int)run["failed"]!));
        Assert.Equal(1.0, (double)run["progress"]!);
        Assert.Equal(["crm", "cam"], run["methods"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task Class_views_match_the_stored_aggregates_and_their_maps_are_served()
    {
        var aggregates = await fixture.Store.ClassAggregatesAsync(fixture.Run.Id);
        var views = (await GetJsonAsync($"{RunPath}/classes")).AsArray();
        Assert.Equal(aggregates.Count, views.Count);
        Assert.True(aggregates.Count >= 4, $"only {aggregates.Count} class views");
        foreach (var a in aggregates)
        {
            var v = views.Single(x => (string)x!["method"]! == a.Method && (int)x["classIndex"]! == a.ClassIndex)!;
            Assert.Equal(a.RoiRatio, (double)v["roiRatio"]!);
            Assert.Equal([a.RoiX0, a.RoiY0, a.RoiX1, a.RoiY1], new[] { "x0", "y0", "x1", "y1" }.Select(k => (int)v["roiBox"]![k]!));
            var png = await GetBytesAsync((string)v["mapUrl"]!);
            Assert.Equal(File.ReadAllBytes(new Uri(a.PngUri).LocalPath), png);
        }
        Assert.All((await GetJsonAsync($"{RunPath}/classes?method=cam")).AsArray(), v => Assert.Equal("cam", (string)v!["method"]!));
    }

    [Fact]
    public async Task Roi_table_has_a_cell_per_class_and_method_with_the_stored_ratios()
    {
        var aggregates = await fixture.Store.ClassAggregatesAsync(fixture.Run.Id);
        var table = await GetJsonAsync($"{RunPath}/roi-table");
        var rows = table["rows"]!.AsArray();
        Assert.Equal(aggregates.Select(a => a.ClassIndex).Distinct().Order(), rows.Select(r => (int)r!["classIndex"]!));
        foreach (var a in aggregates)
        {
            var cell = rows.Single(r => (int)r!["classIndex"]! == a.ClassIndex)!["methods"]![a.Method]!;
            Assert.Equal((a.ImageCount, a.RoiRatio, a.ImageRoiRatioMean), ((int)cell["imageCount"]!, (double)cell["classRoiRatio"]!, (double)cell["imageRoiRatioMean"]!));
        }
    }

    [Fact]
    public async Task Score_histograms_count_every_pixel_of_every_image_of_the_class()
    {
        var distributions = (await GetJsonAsync($"{RunPath}/distributions?method=crm")).AsArray();
        Assert.NotEmpty(distributions);
        var pixels = 160 * 160; // the bundled grader's input size: maps are stored at input size
        foreach (var d in distributions)
        {
            long counted = d!["scores"]!["counts"]!.AsArray().Sum(c => (long)c!);
            Assert.Equal((int)d["imageCount"]! * (long)pixels, counted);
            Assert.Equal((int)d["imageCount"]!, d["roiRatios"]!["counts"]!.AsArray().Sum(c => (long)c!));
            Assert.InRange((double)d["scores"]!["mean"]!, 0, 1);
        }
    }

    [Fact]
    public async Task Image_filters_select_correct_wrong_class_and_failed_images()
    {
        var rows = await fixture.Store.ResultsAsync(fixture.Run.Id, "crm");
        async Task<JsonNode> Page(string query) => await GetJsonAsync($"{RunPath}/images?{query}&limit=500");

        Assert.Equal(rows.Count, (int)(await Page("filter=all"))["total"]!);
        var wrong = await Page("filter=wrong");
        Assert.Equal(rows.Count(r => r.Label != r.Predicted), (int)wrong["total"]!);
        Assert.NotEqual(0, (int)wrong["total"]!);
        Assert.All(wrong["items"]!.AsArray(), i => Assert.False((bool)i!["correct"]!));
        Assert.Equal(rows.Count(r => r.Label == r.Predicted), (int)(await Page("filter=correct"))["total"]!);
        var grade2 = await Page("class=2");
        Assert.Equal(rows.Where(r => r.Label == 2).Select(r => r.ImageKey), grade2["items"]!.AsArray().Select(i => (string)i!["imageKey"]!));

        var failed = (await Page("filter=failed"))["items"]!.AsArray();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, f => Assert.False(string.IsNullOrEmpty((string?)f!["failureReason"])));

        using var bad = await _client.GetAsync($"{RunPath}/images?filter=sideways");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("sideways", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_image_lists_every_stored_picture_including_other_methods_composites_and_serves_them()
    {
        var key = fixture.CompositeImage;
        var image = await GetJsonAsync($"{RunPath}/image?key={Uri.EscapeDataString(key)}");
        var pictures = image["pictures"]!.AsArray().Select(p => ((string)p!["folder"]!, (string)p["kind"]!, (string)p["url"]!)).ToList();
        Assert.Equal([("cam", "overlay"), ("clear", "composite"), ("crm", "overlay")], pictures.Select(p => (p.Item1, p.Item2)).Order());
        var crm = pictures.Single(p => p.Item1 == "crm").Item3;
        Assert.Equal(File.ReadAllBytes(new LocalFolderStore(fixture.Out).PathOf(ResultKeys.ImageOverlay(fixture.Run.Id, "crm", key))), await GetBytesAsync(crm));
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Data, key)), await GetBytesAsync((string)image["originalUrl"]!));
        Assert.Equal(5, image["probabilities"]!.AsArray().Count);

        var detail = await GetJsonAsync(RunPath);
        Assert.Equal([$"{RunPath}/files/clear/legend.png"], detail["runPictureUrls"]!.AsArray().Select(u => (string)u!));
    }

    [Fact]
    public async Task Audit_findings_come_most_severe_first_with_example_images()
    {
        var stored = await fixture.Store.AuditFindingsAsync(fixture.Run.Id);
        var findings = (await GetJsonAsync($"{RunPath}/audit")).AsArray();
        Assert.Equal(stored.Count, findings.Count);
        int Rank(string s) => s switch { "critical" => 2, "warning" => 1, _ => 0 };
        var ranks = findings.Select(f => Rank((string)f!["severity"]!)).ToList();
        Assert.Equal(ranks.OrderDescending(), ranks);
        var outside = findings.First(f => (string)f!["kind"]! == "outside_fov_mass")!;
        var examples = outside["examples"]!.AsArray();
        Assert.NotEmpty(examples);
        var topImages = JsonDocument.Parse(stored.First(s => s.Method == (string)outside["method"]! && s.ClassIndex == (int)outside["classIndex"]! && s.Kind == "outside_fov_mass").EvidenceJson)
            .RootElement.GetProperty("top_images").EnumerateArray().Select(e => e.GetProperty("image").GetString()).ToList();
        Assert.Equal(topImages, examples.Select(e => (string?)e!["imageKey"]));
        var overlay = ImageDecoder.Decode(await GetBytesAsync((string)examples[0]!["overlayUrl"]!));
        Assert.Equal((512, 512), (overlay.Width, overlay.Height));   // overlays are drawn at --overlay-size (default 512), not the 160 px model input
    }

    [Fact]
    public async Task Csv_exports_equal_the_reports_written_beside_the_maps()
    {
        var runDir = Path.Combine(fixture.Out, fixture.Run.Id.ToString("D"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(runDir, "results.csv")), await GetBytesAsync($"{RunPath}/export/images.csv"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(runDir, "classes.csv")), await GetBytesAsync($"{RunPath}/export/classes.csv"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(runDir, "failures.csv")), await GetBytesAsync($"{RunPath}/export/failures.csv"));
    }

    [Fact]
    public async Task Files_outside_the_run_or_of_other_types_are_not_served()
    {
        foreach (var path in new[] { "files/../../etc/passwd.png", "files/%2E%2E/%2E%2E/batchxai.db", "files/crm/nothing.png", "files/results.txt" })
        {
            using var response = await _client.GetAsync($"{RunPath}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using var unknownRun = await _client.GetAsync($"/api/runs/{Guid.NewGuid():D}/classes");
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
    }

    [Fact]
    public async Task Openapi_document_lists_every_api_route()
    {
        var document = await GetJsonAsync("/openapi.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        var routes = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Select(e => "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(Part)))))
            .Where(p => p != "/openapi.json").ToList();
        Assert.True(routes.Count >= 14, $"{routes.Count} routes");
        Assert.All(routes, r => Assert.Contains(r.TrimEnd('/'), paths.Select(p => p.TrimEnd('/'))));
        Assert.NotNull(document["components"]!["securitySchemes"]!["apiKey"]);
    }

    // A route segment as OpenAPI writes it: "{runId:guid}" → "{runId}", "{**path}" → "{path}".
    private static string Part(Microsoft.AspNetCore.Routing.Patterns.RoutePatternPart part) => part switch
    {
        Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
        Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p => "{" + p.Name + "}",
        _ => "",
    };
}
