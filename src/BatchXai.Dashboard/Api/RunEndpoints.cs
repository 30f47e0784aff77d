
namespace BatchXai.Dashboard.Api;

/// <summary>Runs: the list with progress and counts, one run's detail, its failures.</summary>
public static class RunEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new Health("ok")))
            .WithName("Health").WithSummary("Liveness; the one route that needs no credentials").WithTags("service");

        var runs = app.MapGroup("/api/runs").WithTags("runs");
        runs.MapGet("/", async (RunQueries q, CancellationToken ct) => TypedResults.Ok((await q.RunsAsync(ct)).Select(RunViews.Summary).ToArray()))
            .WithName("ListRuns").WithSummary("Every run, newest first, with status, progress and explained/failed counts");

        runs.MapGet("/{runId:guid}", async Task<Results<Ok<RunDetail>, NotFound<ApiError>>> (Guid runId, RunQueries q, RunPictures pictures, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunNotFound(runId);
            var findings = await q.Store.AuditFindingsAsync(runId, ct);
            var counts = new SeverityCounts(findings.Count(f => f.Severity == "info"), findings.Count(f => f.Severity == "warning"), findings.Count(f => f.Severity == "critical"));
            var keys = await pictures.KeysAsync(run, ct);
            var runLevel = RunPictures.RunLevel(keys, await q.ImageStemsAsync(runId, ct)).Select(k => RunViews.FileUrl(runId, k)).ToArray();
            return TypedResults.Ok(new RunDetail(RunViews.Summary(run), RunViews.ClassNames(run), counts, (await q.Store.ClassAggregatesAsync(runId, ct)).Count, runLevel));
        }).WithName("GetRun").WithSummary("One run: counts, class names, audit severity counts, run-level pictures (e.g. legends)");

        runs.MapGet("/{runId:guid}/failures", async Task<Results<Ok<FailureView[]>, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is null) return RunNotFound(runId);
            return TypedResults.Ok((await q.Store.FailuresAsync(runId, ct)).Select(f => new FailureView(f.ImageKey, f.Stage, f.Error, RunViews.Utc(f.CreatedAt))).ToArray());
        }).WithName("ListFailures").WithSummary("Images that failed, with the stage and the reason");
    }

    public static NotFound<ApiError> RunNotFound(Guid runId) => TypedResults.NotFound(new ApiError($"no run {runId:D}"));
}
