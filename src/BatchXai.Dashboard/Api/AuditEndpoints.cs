using System.Text.Json;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Api;

/// <summary>The Clever Hans audit's findings, most severe first, each with example images.</summary>
public static class AuditEndpoints
{
    private const string TopImagesFinding = "outside_fov_mass";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs/{runId:guid}/audit", async Task<Results<Ok<AuditFindingView[]>, NotFound<ApiError>>> (Guid runId, string? severity, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var names = RunViews.ClassNames(run);
            var findings = await q.Store.AuditFindingsAsync(runId, ct);
            bool multiLabel = await q.Store.IsMultiLabelAsync(runId, ct);
            var views = findings.Where(f => severity is null || f.Severity == severity)
                .OrderByDescending(f => Rank(f.Severity)).ThenBy(f => f.Method, StringComparer.Ordinal).ThenBy(f => f.ClassIndex).ThenBy(f => f.Kind, StringComparer.Ordinal)
                .Select(f => new AuditFindingView(f.Method, f.ClassIndex, RunViews.ClassName(names, f.ClassIndex) ?? "", f.Kind, f.Severity, f.Message,
                    JsonDocument.Parse(f.EvidenceJson).RootElement.Clone(), Examples(runId, f, findings, ResultKeys.FindingOf(f.ClassIndex, multiLabel, names))))
                .ToArray();
            return TypedResults.Ok(views);
        }).WithTags("audit").WithName("ListAuditFindings")
          .WithSummary("Audit findings (optionally of one severity: info, warning, critical), most severe first, with the class's images that put most attribution outside the field of view");
    }

    private static int Rank(string severity) => severity switch { "critical" => 2, "warning" => 1, _ => 0 };

    /// <summary>
    /// The images behind a finding: the finding's own top-images list, else that of the same
    /// method and class's outside-field-of-view finding (the audit ranks images only there). On a
    /// multi-label run the class is a finding: its overlays lie in <paramref name="findingFolder"/>.
    /// </summary>
    private static ExampleImage[] Examples(Guid runId, AuditFindingRow finding, List<AuditFindingRow> all, string? findingFolder)
    {
        var source = HasTopImages(finding) ? finding
            : all.FirstOrDefault(f => f.Method == finding.Method && f.ClassIndex == finding.ClassIndex && f.Kind == TopImagesFinding && HasTopImages(f));
        if (source is null) return [];
        using var evidence = JsonDocument.Parse(source.EvidenceJson);
        return evidence.RootElement.GetProperty("top_images").EnumerateArray().Select(e =>
        {
            var key = e.GetProperty("image").GetString()!;
            double? value = e.TryGetProperty(TopImagesFinding, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            return new ExampleImage(key, value, RunViews.OverlayUrl(runId, finding.Method, key, findingFolder), RunViews.OriginalUrl(runId, key));
        }).ToArray();
    }

    private static bool HasTopImages(AuditFindingRow f)
    {
        using var evidence = JsonDocument.Parse(f.EvidenceJson);
        return evidence.RootElement.TryGetProperty("top_images", out var top) && top.ValueKind == JsonValueKind.Array;
    }
}
