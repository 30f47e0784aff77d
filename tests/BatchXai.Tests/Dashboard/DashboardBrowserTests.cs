using System.Text.Json.Nodes;
using BatchXai.Imaging;
using BatchXai.Tests.Dashboard.Browser;
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
    [Fact]
    public async Task Chromium_opens_the_run_sees_maps_and_charts_and_filters_the_image_browser()
    {
        BrowserScript.AssertInstalled();
        var artefacts = BrowserScript.Artefacts();
        // This test's screenshots (not the Hangfire test's) are made afresh.
        foreach (var old in Directory.GetFiles(artefacts, "*.png").Where(f => !Path.GetFileName(f).StartsWith("hangfire-", StringComparison.Ordinal))) File.Delete(old);

        var rows = await fixture.Store.ResultsAsync(fixture.Run.Id, "crm");
        int wrongClass = rows.First(r => r.Label != r.Predicted).Label!.Value;
        var seen = await BrowserScript.RunAsync("dashboard-e2e.cjs", [fixture.BaseAddress.ToString().TrimEnd('/'), fixture.Run.Id.ToString("D"),
            DashboardRun.User, DashboardRun.Password, artefacts, wrongClass.ToString(), fixture.Comparison.Id.ToString("D")], output);

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

        await CheckReviewViewsAsync(seen, rows);

        foreach (var shot in new[] { "run.png", "images.png", "image-view.png", "compare.png", "report.png" })
        {
            var picture = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(artefacts, shot)));
            Assert.True(picture.Width >= 1000 && picture.Height >= 600, $"{shot}: {picture.Width}x{picture.Height}");
            output.WriteLine($"screenshot {Path.Combine(artefacts, shot)} {picture.Width}x{picture.Height}");
        }
    }

    /// <summary>Issue 13's views as the browser showed them, against the stored rows.</summary>
    private async Task CheckReviewViewsAsync(JsonNode seen, List<BatchXai.Storage.Database.ImageResultRow> rows)
    {
        var names = BatchXai.Storage.Database.RunInfo.Of(fixture.Run).ClassNames;
        var findings = await fixture.Store.AuditFindingsAsync(fixture.Run.Id);
        // Verdicts head the page, one per class, with the finding that drove it; the findings table is collapsed until opened.
        Assert.True((bool)seen["firstSectionIsVerdicts"]!);
        var verdicts = seen["verdicts"]!.AsArray();
        Assert.Equal(names.Length, verdicts.Count);
        foreach (var v in verdicts)
        {
            var mine = findings.Where(f => f.ClassIndex == (int)v!["cls"]!).ToList();
            var worst = mine.Select(f => f.Severity).OrderByDescending(s => s switch { "critical" => 2, "warning" => 1, _ => 0 }).FirstOrDefault();
            Assert.Equal(worst switch { "critical" => "shortcut suspected", "warning" => "review", _ => "clean" }, (string)v!["verdict"]!);
            if (worst is not null) Assert.Contains(mine, f => f.Severity == worst && ((string)v["driver"]!).Contains(f.Message));
        }
        Assert.True((bool)seen["findingsCollapsed"]!);
        Assert.True((bool)seen["findingsOpened"]!);

        // Every stored cluster shown with its mean map decoded and members; a class's clusters side by side (one row).
        var clusters = await fixture.Store.SprayClustersAsync(fixture.Run.Id);
        var cards = seen["clusterCards"]!.AsArray();
        Assert.Equal(clusters.Count, cards.Count);
        Assert.All(cards, c => Assert.True((int)c!["map"]! > 0 && (int)c["members"]! > 0));
        Assert.Equal(clusters.Count(c => c.Candidate), cards.Count(c => (bool)c!["candidate"]!));
        foreach (var group in cards.GroupBy(c => (string)c!["group"]!)) Assert.Single(group.Select(c => (int)c!["top"]!).Distinct());

        // The confusion matrix as stored predictions count it; the ranking's best method per metric.
        var images = rows.Where(r => r.Label is not null).ToList();
        var confusion = seen["confusion"]!.AsArray();
        for (int i = 0; i < names.Length; i++)
            for (int j = 0; j < names.Length; j++)
                Assert.Equal(images.Count(r => r.Label == i && r.Predicted == j), (int)confusion[i]![j]!);
        Assert.Contains($"{100.0 * images.Count(r => r.Label == r.Predicted) / images.Count:F1}%", (string)seen["accuracyShown"]!);
        Assert.Equal(["deletion_auc", "insertion_auc"], seen["ranking"]!.AsArray().Select(r => (string)r!["metric"]!));

        // The run picture (a 12-pixel legend) is shown at a readable width and named, not as a speck.
        var picture = seen["runPictures"]!.AsArray().Single()!;
        Assert.Equal(12, (int)picture["natural"]!);
        Assert.True((int)picture["shown"]! >= 150, $"legend shown {picture["shown"]} px wide");
        Assert.Contains("legend.png", (string)picture["caption"]!);

        // The report opened from the run page: a verdict per class, every picture embedded and decoded.
        Assert.Equal(names.Length, (int)seen["reportVerdicts"]!);
        var reportPictures = seen["reportPictures"]!.AsArray();
        Assert.True(reportPictures.Count >= clusters.Count + (await fixture.Store.ClassAggregatesAsync(fixture.Run.Id)).Count);
        Assert.All(reportPictures, p => Assert.True((bool)p!["data"]! && (bool)p["decoded"]!));

        // Image view: original + both overlays at full readable size side by side with the field of view; ←/→ step through the wrong predictions.
        var wrongKeys = seen["wrongKeys"]!.AsArray().Select(k => (string)k!).ToList();
        var steps = seen["imageView"]!.AsArray();
        Assert.Equal([wrongKeys[0], wrongKeys[1], wrongKeys[2], wrongKeys[1]], steps.Select(s => (string)s!["title"]!));
        Assert.Equal($"2 of {wrongKeys.Count}", (string)steps[1]!["position"]!);
        var panels = steps[0]!["panels"]!.AsArray();
        Assert.True(panels.Count >= 3);
        Assert.All(panels, p => Assert.True((int)p!["width"]! >= 400 && (bool)p["fov"]!));
        Assert.Single(panels.Select(p => (int)p!["top"]!).Distinct());
        Assert.True((int)seen["zoomedWidth"]! >= 800);

        // Comparison with the shortcut grader's run: both class maps and their difference for every shared class view.
        var compared = seen["compareMaps"]!.AsArray();
        Assert.NotEmpty(compared);
        Assert.All(compared, m => Assert.Equal(3, (int)m!["pictures"]!));
        Assert.Contains(compared, m => (double)m!["meanAbs"]! > 0);
        Assert.True((int)seen["compareMetrics"]! >= 4);
    }
}
