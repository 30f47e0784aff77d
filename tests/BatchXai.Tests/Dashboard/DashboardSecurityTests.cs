using System.Net;
using System.Text.RegularExpressions;
using BatchXai.Http.Headers;
using BatchXai.Imaging;
using BatchXai.Synthetic;

namespace BatchXai.Tests.Dashboard;

/// <summary>Security headers on every answer, run data never cached, no inline script or style in the app, originals only of the run's images.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardSecurityTests(DashboardRun fixture)
{
    private string RunPath => $"/api/runs/{fixture.Run.Id:D}";

    [Fact]
    public async Task Every_answer_carries_the_security_headers_and_json_and_csv_are_never_stored()
    {
        using var client = fixture.Client();
        using var anonymous = fixture.Client(apiKey: null);
        var crmKey = (await fixture.Store.ResultsAsync(fixture.Run.Id, "crm")).First().ImageKey;
        (HttpClient Client, string Path, HttpStatusCode Status, bool NoStore)[] answers =
        [
            (client, "/", HttpStatusCode.OK, false),
            (client, "/assets/app.js", HttpStatusCode.OK, false),
            (client, "/api/runs", HttpStatusCode.OK, true),
            (client, $"{RunPath}/export/images.csv", HttpStatusCode.OK, true),
            (client, $"{RunPath}/files/results.csv", HttpStatusCode.OK, true),
            (client, $"/api/runs/{Guid.NewGuid():D}", HttpStatusCode.NotFound, true),
            (anonymous, "/api/runs", HttpStatusCode.Unauthorized, true),
            (anonymous, "/health", HttpStatusCode.OK, true),
        ];
        foreach (var (c, path, status, noStore) in answers)
        {
            using var response = await c.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}");
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.True(noStore == (response.Headers.CacheControl?.NoStore == true), $"{path}: Cache-Control {response.Headers.CacheControl}");
        }
        // Pictures of a completed run stay cacheable.
        var files = await client.GetStringAsync($"{RunPath}/image?key={Uri.EscapeDataString(crmKey)}");
        var pictureUrl = Regex.Match(files, "\"url\":\"([^\"]+\\.png)\"").Groups[1].Value;
        using var picture = await client.GetAsync(pictureUrl);
        Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
        Assert.False(picture.Headers.CacheControl?.NoStore ?? false);
    }

    [Fact]
    public async Task The_app_has_no_inline_script_or_style_for_the_policy_to_block()
    {
        using var client = fixture.Client();
        var html = await client.GetStringAsync("/");
        var scripts = Regex.Matches(html, "<script\\b[^>]*>", RegexOptions.IgnoreCase).Select(m => m.Value).ToList();
        Assert.Equal(2, scripts.Count);
        Assert.All(scripts, s => Assert.Matches("src=\"/assets/[a-z.]+\\.js\"", s));
        Assert.DoesNotMatch("<style\\b|\\sstyle=|\\son[a-z]+=", html);
        var app = await client.GetStringAsync("/assets/app.js");
        Assert.DoesNotMatch("style=|<style|\\son[a-z]+=\\\"|eval\\(|new Function", app);
    }

    [Fact]
    public async Task Original_serves_only_images_of_the_run_not_other_files_of_its_dataset()
    {
        using var client = fixture.Client();
        var explained = (await fixture.Store.ResultsAsync(fixture.Run.Id, "crm")).First().ImageKey;
        using (var ok = await client.GetAsync($"{RunPath}/original?key={Uri.EscapeDataString(explained)}"))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // A decodable picture added to the dataset folder after the run, and the label file: not the run's images.
        var extra = $"{SampleDatasetWriter.ImagesFolder}/added-{Guid.NewGuid():N}.png";
        File.WriteAllBytes(Path.Combine(fixture.Data, extra), PngEncoder.Encode(new RgbImage(8, 8)));
        try
        {
            foreach (var key in new[] { extra, SampleDatasetWriter.LabelsFile, "../batchxai.db", $"{SampleDatasetWriter.ImagesFolder}/../{SampleDatasetWriter.LabelsFile}" })
            {
                using var response = await client.GetAsync($"{RunPath}/original?key={Uri.EscapeDataString(key)}");
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{key}: {(int)response.StatusCode}");
            }
        }
        finally { File.Delete(Path.Combine(fixture.Data, extra)); }
    }
}
