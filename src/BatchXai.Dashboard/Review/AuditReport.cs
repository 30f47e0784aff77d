using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Review;

/// <summary>
/// The audit report of one run as one self-contained HTML file a reviewer can hand on: verdicts per
/// class with the finding behind each, the SpRAy clusters with their mean maps and member overlays,
/// the class-level maps, model metrics and confusion matrix, the faithfulness ranking, every finding
/// and the settings of the run. Pictures are embedded as data URIs; no script, no external resource.
/// Written by <c>batchxai export report</c> and served by the dashboard (/api/runs/{id}/report.html).
/// </summary>
public static class AuditReport
{
    /// <summary>Member overlays shown per cluster.</summary>
    public const int MembersShown = 6;

    /// <summary>The content security policy the report is served under: inline styles and data: pictures only, nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The audit report of a run, its pictures read from the run's results store.</summary>
    public static async Task<string> WriteAsync(ResultStore store, RunRow run, IObjectStore results, CancellationToken ct) =>
        await WriteAsync(await RunReview.ReadAsync(store, run, ct), async (key, token) =>
        {
            try { return await results.ReadAsync($"{ResultKeys.RunFolder(run.Id)}/{key}", token); }
            catch (Exception e) when (e is IOException or ArgumentException) { return null; } // missing: the report says so
        }, ct);

    /// <param name="read">Reads a stored file by its key relative to the run folder; null when it is missing (the report says so).</param>
    public static async Task<string> WriteAsync(RunReview review, Func<string, CancellationToken, Task<byte[]?>> read, CancellationToken ct)
    {
        var run = review.Run;
        var html = new StringBuilder();
        async Task<string> Picture(string key, string alt, string cls)
        {
            var png = await read(key, ct);
            return png is null ? $"<span class=\"missing\">{E(key)} missing</span>"
                : $"<img class=\"{cls}\" alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";
        }

        html.Append($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>BatchXai audit report · run {run.Id:D}</title>
            <style>{Style}</style></head><body>
            <h1>Audit report · {E(run.ModelName)}</h1>
            <p>Run <code>{run.Id:D}</code> · {E(run.Status)} · {run.Explained} explained, {run.Failed} failed of {run.Expected} · methods {E(string.Join(", ", review.Settings.Methods))}
            · dataset <code>{E(run.DatasetUri)}</code> · report written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC</p>
            """);

        html.Append("<h2>Verdicts</h2><table id=\"verdicts\"><tr><th>class</th><th>verdict</th><th>the finding that drove it</th><th>warnings</th><th>critical</th></tr>");
        foreach (var v in review.Verdicts)
            html.Append($"<tr><td>{v.ClassIndex} {E(v.ClassName)}</td><td><span class=\"verdict {Css(v.Verdict)}\">{E(v.Verdict)}</span></td>"
                + $"<td>{(v.DrivenBy is { } f ? $"<b>{E(f.Method)} · {E(f.Kind)}</b> ({E(f.Severity)}): {E(f.Message)}" : "<span class=\"muted\">no finding</span>")}</td>"
                + $"<td class=\"num\">{v.Warnings}</td><td class=\"num\">{v.Criticals}</td></tr>");
        html.Append("</table>");

        html.Append("<h2>SpRAy clusters</h2>");
        if (review.Clusters.Count == 0) html.Append("<p class=\"muted\">No clusters stored for this run.</p>");
        foreach (var group in review.Clusters.GroupBy(c => (c.Method, c.ClassIndex, c.ClassName)))
        {
            html.Append($"<h3>{E(group.Key.Method)} · {group.Key.ClassIndex} {E(group.Key.ClassName)}</h3><div class=\"row\">");
            foreach (var c in group)
            {
                html.Append($"<figure class=\"cluster{(c.Candidate ? " candidate" : "")}\">{await Picture(c.MeanMapKey, $"cluster {c.ClusterIndex} mean map", "map")}"
                    + $"<figcaption>cluster {c.ClusterIndex}{(c.Candidate ? " · <b>candidate shortcut</b>" : "")}<br>{c.Size} of {c.ClassImageCount} images · spread {F(c.Spread)} · distance to main {F(c.DistanceToMain)}</figcaption><div class=\"strip\">");
                foreach (var member in c.Members.Take(MembersShown))
                    html.Append(await Picture(Relative(run.Id, ResultKeys.ImageOverlay(run.Id, c.Method, member, review.FindingFolder(c.ClassIndex))), member, "member"));
                html.Append("</div>");
                foreach (var f in c.Findings) html.Append($"<p class=\"finding\"><span class=\"sev {Css(f.Severity)}\">{E(f.Severity)}</span> {E(f.Message)}</p>");
                html.Append("</figure>");
            }
            html.Append("</div>");
        }

        html.Append("<h2>Class-level maps</h2><div class=\"row\">");
        foreach (var v in review.ClassViews.OrderBy(v => v.Method, StringComparer.Ordinal).ThenBy(v => v.ClassIndex))
            html.Append($"<figure>{await Picture(Relative(run.Id, ResultKeys.ClassStem(run.Id, v.Method, v.ClassIndex, v.ClassName) + ".png"), $"{v.Method} class {v.ClassIndex}", "map")}"
                + $"<figcaption>{E(v.Method)} · {v.ClassIndex} {E(v.ClassName)} · {v.ImageCount} images · class ROI {P(v.RoiRatio)}</figcaption></figure>");
        html.Append("</div>");

        AppendModelMetrics(html, review);
        AppendRankings(html, review);

        html.Append($"<h2>All findings ({review.Findings.Count})</h2><table id=\"findings\"><tr><th>severity</th><th>method</th><th>class</th><th>check</th><th>finding</th><th>value</th></tr>");
        foreach (var f in review.Findings)
            html.Append($"<tr><td><span class=\"sev {Css(f.Severity)}\">{E(f.Severity)}</span></td><td>{E(f.Method)}</td><td>{f.ClassIndex} {E(Name(review, f.ClassIndex))}</td>"
                + $"<td>{E(f.Kind)}</td><td>{E(f.Message)}</td><td class=\"num\">{F(f.Value)}</td></tr>");
        html.Append("</table>");

        var s = review.Settings;
        html.Append($"""
            <h2>Settings</h2><table id="settings">
            <tr><th>model</th><td>{E(s.ModelName)} <code>{E(s.ModelManifestUri)}</code> sha256 <code>{E(s.ModelSha256)}</code></td></tr>
            <tr><th>dataset</th><td><code>{E(s.DatasetUri)}</code></td></tr><tr><th>results</th><td><code>{E(s.ResultsUri)}</code></td></tr>
            <tr><th>methods</th><td>{E(string.Join(", ", s.Methods))}</td></tr><tr><th>target</th><td>{E(s.Target)}</td></tr>
            <tr><th>classes</th><td>{E(string.Join(", ", review.ClassNames.Select((n, i) => $"{i} {n}")))}</td></tr>
            <tr><th>options</th><td><pre>{E(JsonSerializer.Serialize(s.Options, new JsonSerializerOptions { WriteIndented = true }))}</pre></td></tr>
            <tr><th>started / completed</th><td>{s.CreatedAt:yyyy-MM-dd HH:mm:ss} / {(s.CompletedAt is { } done ? done.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "–")} UTC</td></tr>
            </table></body></html>
            """);
        return html.ToString();
    }

    private static void AppendModelMetrics(StringBuilder html, RunReview review)
    {
        html.Append("<h2>Model metrics</h2>");
        if (review.ModelMetrics is not { } m) { html.Append("<p class=\"muted\">No labelled images: no model metrics.</p>"); return; }
        if (m.Findings is { } findings)
        {
            html.Append($"<p id=\"model-headline\">{m.Images} labelled images · findings present at probability ≥ <b>{F(findings.Threshold)}</b> · macro AUC <b>{F(findings.MacroAuc)}</b> · macro sensitivity <b>{F(findings.MacroSensitivity)}</b> · macro specificity <b>{F(findings.MacroSpecificity)}</b></p>");
            html.Append("<table id=\"finding-metrics\"><tr><th>finding</th><th>positive</th><th>prevalence</th><th>AUC</th><th>sensitivity</th><th>specificity</th></tr>");
            foreach (var f in findings.Findings)
                html.Append($"<tr><td>{f.ClassIndex} {E(f.ClassName)}</td><td class=\"num\">{f.Positives}</td><td class=\"num\">{F(f.Prevalence)}</td><td class=\"num\">{F(f.Auc)}</td><td class=\"num\">{F(f.Sensitivity)}</td><td class=\"num\">{F(f.Specificity)}</td></tr>");
            html.Append("</table>");
            return;
        }
        html.Append($"<p id=\"model-headline\">{m.Images} labelled images · accuracy <b>{P(m.Accuracy)}</b> · quadratic-weighted κ <b>{F(m.Qwk)}</b> · macro F1 <b>{F(m.MacroF1)}</b> · macro AUC <b>{F(m.MacroAuc)}</b></p>");
        html.Append("<div class=\"row\"><table id=\"class-metrics\"><tr><th>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th><th>AUC</th></tr>");
        foreach (var c in m.Classes)
            html.Append($"<tr><td>{c.ClassIndex} {E(c.ClassName)}</td><td class=\"num\">{c.Support}</td><td class=\"num\">{F(c.Precision)}</td><td class=\"num\">{F(c.Recall)}</td><td class=\"num\">{F(c.F1)}</td><td class=\"num\">{F(c.Auc)}</td></tr>");
        html.Append("</table><table id=\"confusion\"><tr><th>true \\ predicted</th>");
        foreach (var (n, i) in review.ClassNames.Select((n, i) => (n, i))) html.Append($"<th>{i} {E(n)}</th>");
        html.Append("</tr>");
        for (int i = 0; i < m.Confusion.Length; i++)
        {
            long rowTotal = Math.Max(1, m.Confusion[i].Sum());
            html.Append($"<tr><th>{i} {E(review.ClassNames[i])}</th>");
            for (int j = 0; j < m.Confusion[i].Length; j++)
                html.Append($"<td class=\"num{(i == j ? " diag" : m.Confusion[i][j] > 0 ? " off" : "")}\" title=\"{P((double)m.Confusion[i][j] / rowTotal)} of the row\">{m.Confusion[i][j]}</td>");
            html.Append("</tr>");
        }
        html.Append("</table></div>");
    }

    private static void AppendRankings(StringBuilder html, RunReview review)
    {
        html.Append("<h2>Faithfulness ranking</h2>");
        var all = review.Rankings.Where(r => r.ClassIndex == FaithfulnessRanking.AllImages).ToList();
        if (all.Count == 0) { html.Append("<p class=\"muted\">The run computed no faithfulness metrics (<code>--metrics</code>).</p>"); return; }
        html.Append("<table id=\"ranking\"><tr><th>metric (all images)</th><th>better</th><th>methods, best first: mean ± std (images)</th></tr>");
        foreach (var r in all)
            html.Append($"<tr><td>{E(r.Metric)}</td><td>{(r.LowerIsBetter ? "lower" : "higher")}</td><td>"
                + string.Join(" · ", r.Methods.Select(m => $"{(m.Rank > 0 ? $"{m.Rank}." : "–")} <b>{E(m.Method)}</b> {F(m.Mean)} ± {F(m.Std)} ({m.Images})")) + "</td></tr>");
        html.Append("</table>");
    }

    private static string Name(RunReview review, int c) => c >= 0 && c < review.ClassNames.Length ? review.ClassNames[c] : "";
    private static string Relative(Guid runId, string key) => key[(ResultKeys.RunFolder(runId).Length + 1)..];
    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    private static string Css(string s) => s.Replace(' ', '-');
    private static string F(double? x) => x is double v && double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
    private static string P(double? x) => x is double v && double.IsFinite(v) ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    private const string Style = """
        body { font: 14px/1.45 system-ui, sans-serif; color: #1d2329; margin: 1.5rem; max-width: 1300px; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.8rem; border-bottom: 1px solid #d8dee4; } h3 { font-size: 1rem; }
        table { border-collapse: collapse; margin: .4rem 0; } th, td { border: 1px solid #d8dee4; padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: #eef1f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; } td.diag { background: #dafbe1; } td.off { background: #ffebe9; }
        .row { display: flex; flex-wrap: wrap; gap: .8rem; align-items: flex-start; }
        figure { margin: 0; border: 1px solid #d8dee4; padding: .4rem; max-width: 420px; } figure.candidate { border: 2px solid #cf222e; }
        figcaption { font-size: 12px; color: #57606a; } img.map { width: 180px; image-rendering: pixelated; } img.member { width: 64px; height: 64px; object-fit: cover; margin: 2px; }
        .verdict { font-weight: 700; padding: 1px 6px; border-radius: 3px; color: #fff; } .verdict.clean { background: #1a7f37; } .verdict.review { background: #9a6700; }
        .verdict.shortcut-suspected { background: #cf222e; }
        .sev { font-weight: 700; text-transform: uppercase; font-size: 11px; padding: 1px 5px; border-radius: 3px; color: #fff; background: #8c959f; }
        .sev.critical { background: #cf222e; } .sev.warning { background: #9a6700; } .muted, .missing { color: #6a737d; } .finding { font-size: 12px; margin: .2rem 0; }
        pre { margin: 0; font-size: 12px; white-space: pre-wrap; }
        """;
}
