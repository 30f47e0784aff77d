using BatchXai.Dashboard.Review;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Api;

/// <summary>
/// The reviewer's hour (issue 13): a verdict per class with the finding behind it, the SpRAy clusters
/// side by side, model metrics and the faithfulness ranking, the audit report as one HTML file, and
/// two runs of a dataset compared.
/// </summary>
public static class ReviewEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs/{runId:guid}").WithTags("review");

        runs.MapGet("/verdicts", async Task<Results<Ok<IReadOnlyList<ClassVerdict>>, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
            await q.Store.FindRunAsync(runId, ct) is not { } run ? RunEndpoints.RunNotFound(runId)
                : TypedResults.Ok(ClassVerdict.Of(RunViews.ClassNames(run), await q.Store.AuditFindingsAsync(runId, ct))))
            .WithName("ListVerdicts")
            .WithSummary("A verdict per class: clean (no finding above info), review (a warning) or shortcut suspected (a critical finding), with the finding that drove it");

        runs.MapGet("/clusters", async Task<Results<Ok<ClusterView[]>, NotFound<ApiError>>> (Guid runId, string? method, int? @class, int? members, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            int shown = Math.Clamp(members ?? 12, 0, 200);
            var names = RunViews.ClassNames(run);
            bool multiLabel = await q.Store.IsMultiLabelAsync(runId, ct);
            var clusters = ClusterSummary.Of(runId, await q.Store.SprayClustersAsync(runId, ct), await q.Store.AuditFindingsAsync(runId, ct));
            return TypedResults.Ok(clusters.Where(c => (method is null || c.Method == method) && (@class is null || c.ClassIndex == @class))
                .Select(c => new ClusterView(c.Method, c.ClassIndex, c.ClassName, c.ClusterIndex, c.ClusterCount, c.ClassImageCount, c.Size, c.Eigengap,
                    c.Spread, c.DistanceToMain, c.Candidate, RunViews.FileUrl(runId, c.MeanMapKey), c.Members.Count,
                    c.Members.Take(shown).Select(k => new ClusterMember(k, RunViews.OverlayUrl(runId, c.Method, k, ResultKeys.FindingOf(c.ClassIndex, multiLabel, names)),
                        RunViews.OriginalUrl(runId, k))).ToArray(), c.Findings)).ToArray());
        }).WithName("ListClusters")
          .WithSummary("SpRAy clusters per method and class (optionally one): size, eigengap, spread, distance to the main cluster, candidate flag, mean-map picture, the first members (members=N, nearest the mean first) and the findings naming the cluster");

        runs.MapGet("/metrics", async Task<Results<Ok<MetricsView>, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var names = RunViews.ClassNames(run);
            return TypedResults.Ok(new MetricsView(ModelMetricsSummary.Of(names, await q.Store.ModelMetricsAsync(runId, ct)),
                FaithfulnessRanking.Of(names, await q.Store.ClassMetricsAsync(runId, ct))));
        }).WithName("GetMetrics")
          .WithSummary("Model metrics (accuracy, quadratic-weighted kappa, macro F1/AUC, per class precision/recall/F1/AUC, confusion matrix) and methods ranked per faithfulness metric and class (−1: all images)");

        runs.MapGet("/report.html", async Task<Results<ContentHttpResult, NotFound<ApiError>>> (Guid runId, bool? download, HttpContext http, RunQueries q, RunStores stores, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var html = await AuditReport.WriteAsync(q.Store, run, stores.Results(run), ct);
            // The report is self-contained: it needs inline styles and data: pictures, and runs no script.
            http.Response.Headers.ContentSecurityPolicy = AuditReport.ContentSecurityPolicy;
            http.Response.Headers.CacheControl = Http.Headers.SecurityHeaders.NoStore;
            if (download == true) http.Response.Headers.ContentDisposition = $"attachment; filename=\"{runId:D}-audit-report.html\"";
            return TypedResults.Content(html, "text/html; charset=utf-8");
        }).WithName("GetAuditReport")
          .WithSummary("The run's audit report as one self-contained HTML file (verdicts, clusters with embedded pictures, class maps, metrics, findings, settings); download=true to save it");

        var compare = app.MapGroup("/api/compare").WithTags("review");
        compare.MapGet("/", async Task<Results<Ok<ComparisonView>, NotFound<ApiError>, BadRequest<ApiError>>> (Guid a, Guid b, RunQueries q, RunStores stores, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(a, ct) is not { } runA) return RunEndpoints.RunNotFound(a);
            if (await q.Store.FindRunAsync(b, ct) is not { } runB) return RunEndpoints.RunNotFound(b);
            RunComparison comparison;
            try { comparison = await RunComparison.BuildAsync(await RunReview.ReadAsync(q.Store, runA, ct), await RunReview.ReadAsync(q.Store, runB, ct), stores.Results, ct); }
            catch (ArgumentException e) { return TypedResults.BadRequest(new ApiError(e.Message)); }
            return TypedResults.Ok(new ComparisonView(RunViews.Summary(runA), RunViews.Summary(runB), comparison.SameDataset,
                comparison.Maps.Select(m => new ClassMapDeltaView(m, ClassMapUrl(a, m), ClassMapUrl(b, m),
                    m.Difference is null ? null : $"/api/compare/difference.png?a={a:D}&b={b:D}&method={Uri.EscapeDataString(m.Method)}&class={m.ClassIndex}")).ToArray(),
                comparison.Metrics, comparison.Verdicts));
        }).WithName("CompareRuns")
          .WithSummary("Two runs of the same dataset (a, b): per method and class the difference of the class-level maps (mean |a−b| of the max-normalised maps, correlation), model and faithfulness metrics with deltas b − a, verdicts that changed");

        compare.MapGet("/difference.png", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid a, Guid b, string method, int @class, RunQueries q, RunStores stores, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(a, ct) is not { } runA) return RunEndpoints.RunNotFound(a);
            if (await q.Store.FindRunAsync(b, ct) is not { } runB) return RunEndpoints.RunNotFound(b);
            var (va, vb) = ((await q.Store.ClassAggregatesAsync(a, ct)).FirstOrDefault(v => v.Method == method && v.ClassIndex == @class),
                (await q.Store.ClassAggregatesAsync(b, ct)).FirstOrDefault(v => v.Method == method && v.ClassIndex == @class));
            if (va is null || vb is null) return TypedResults.NotFound(new ApiError($"both runs need a {method} class view of class {@class}"));
            try
            {
                var (ma, mb) = (await RunComparison.ClassMapAsync(stores.Results(runA), va, ct), await RunComparison.ClassMapAsync(stores.Results(runB), vb, ct));
                if (ma.Shape.Length != 2 || !ma.Shape.SequenceEqual(mb.Shape)) return TypedResults.NotFound(new ApiError("the class maps have other sizes"));
                return TypedResults.File(PngEncoder.Encode(MapDifference.Picture(ma.Data, mb.Data, ma.Shape[1], ma.Shape[0])), "image/png");
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException) { return TypedResults.NotFound(new ApiError(e.Message)); }
        }).WithName("GetMapDifference")
          .WithSummary("The difference of two runs' class-level maps (each max-normalised) as a picture: red where run a attends more, blue where run b does");
    }

    private static string ClassMapUrl(Guid runId, ClassMapDelta m) =>
        RunViews.FileUrl(runId, RunViews.Relative(runId, ResultKeys.ClassStem(runId, m.Method, m.ClassIndex, m.ClassName) + ".png"));
}
