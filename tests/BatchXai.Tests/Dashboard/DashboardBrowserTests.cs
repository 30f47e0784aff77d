using System.Diagnostics;
using System.Text.Json.Nodes;
using BatchXai.Imaging;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Dashboard;

/// <summary>
/// End to end in a real browser: headless Debian chromium, driven by playwright-core from a node
/// script, opens the finished run in the dashboard, sees the class maps and the distribution
/// charts rendered, filters the image browser, and saves screenshots to out/test-artifacts/dashboard/.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardRun fixture, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static string RepositoryRoot => Path.GetDirectoryName(Path.GetDirectoryName(PointingGameTests.BundledModel("x"))!)!;

    [Fact]
    public async Task Chromium_opens_the_run_sees_maps_and_charts_and_filters_the_image_browser()
    {
        var playwright = Path.Combine(RepositoryRoot, "tools", "playwright", "node_modules", "playwright-core");
        Assert.True(Directory.Exists(playwright) && File.Exists(Chromium), $"needs {playwright} and {Chromium}: run `bash infra/setup.sh --test`");
        var artefacts = Path.Combine(RepositoryRoot, "out", "test-artifacts", "dashboard");
        Directory.CreateDirectory(artefacts);
        foreach (var old in Directory.GetFiles(artefacts, "*.png")) File.Delete(old);

        var rows = await fixture.Store.ResultsAsync(fixture.Run.Id, "crm");
        int wrongClass = rows.First(r => r.Label != r.Predicted).Label!.Value;
        var seen = await RunScriptAsync(playwright, artefacts, wrongClass);

        var aggregates = await fixture.Store.ClassAggregatesAsync(fixture.Run.Id);
        Assert.Equal("completed", (string)seen["listedStatus"]!);
        // Every class view of both methods shown, decoded at the model's input size, with its ROI box.
        Assert.Equal(aggregates.Count, seen["classMaps"]!.AsArray().Count);
        Assert.All(seen["classMaps"]!.AsArray(), m => Assert.Equal((160, 160), ((int)m!["width"]!, (int)m["height"]!)));
        Assert.Equal(aggregates.Count, (int)seen["roiBoxesPlaced"]!);
        // A chart per class view; each drawn: bars and curve cover a clear share of the canvas.
        var drawn = seen["distributionDrawnShares"]!.AsArray().Select(s => (double)s!).ToList();
        Assert.Equal(aggregates.Count, drawn.Count);
        Assert.All(drawn, share => Assert.InRange(share, 0.02, 1));
        Assert.Equal(aggregates.Select(a => a.ClassIndex).Distinct().Count(), (int)seen["roiTableRows"]!);
        Assert.True((int)seen["auditRows"]! > 0);

        Assert.Equal(rows.Count, (int)seen["totalAll"]!);
        Assert.All(seen["picturesPerCard"]!.AsArray(), n => Assert.InRange((int)n!, 3, 4)); // original, crm, cam (+ the composite)
        Assert.Equal(rows.Count(r => r.Label != r.Predicted), (int)seen["totalWrong"]!);
        Assert.InRange((int)seen["totalWrong"]!, 3, rows.Count - 1);
        Assert.All(seen["wrongVerdicts"]!.AsArray(), v => Assert.Equal("wrong", (string)v!));
        var expected = rows.Where(r => r.Label == wrongClass && r.Predicted != wrongClass).Select(r => r.ImageKey).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, seen["wrongClassKeys"]!.AsArray().Select(k => (string)k!));
        Assert.Equal(2, (int)seen["failedCards"]!);
        Assert.Empty(seen["pageErrors"]!.AsArray());
        // Under the content security policy nothing of the app was blocked, and bars still got their widths.
        Assert.Empty(seen["cspViolations"]!.AsArray());
        Assert.True((int)seen["barsWithWidth"]! >= 1);

        foreach (var shot in new[] { "run.png", "images.png" })
        {
            var picture = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(artefacts, shot)));
            Assert.True(picture.Width >= 1000 && picture.Height >= 600, $"{shot}: {picture.Width}x{picture.Height}");
            output.WriteLine($"screenshot {Path.Combine(artefacts, shot)} {picture.Width}x{picture.Height}");
        }
    }

    private async Task<JsonNode> RunScriptAsync(string playwright, string artefacts, int wrongClass)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Dashboard", "Browser", "dashboard-e2e.cjs");
        var start = new ProcessStartInfo("node", [script, playwright, Chromium, fixture.BaseAddress.ToString().TrimEnd('/'), fixture.Run.Id.ToString("D"),
            DashboardRun.User, DashboardRun.Password, artefacts, wrongClass.ToString()]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"browser script did not finish: {await stderr}"); }
        output.WriteLine(await stdout);
        Assert.True(process.ExitCode == 0, $"browser script failed ({process.ExitCode}): {await stderr}");
        return JsonNode.Parse((await stdout).Trim().Split('\n')[^1])!;
    }
}
