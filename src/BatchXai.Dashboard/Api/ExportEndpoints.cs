using BatchXai.Storage.Csv;

namespace BatchXai.Dashboard.Api;

/// <summary>CSV exports of a run, in the same format as the files beside its maps and <c>batchxai export</c>.</summary>
public static class ExportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/runs/{runId:guid}/export").WithTags("exports");

        exports.MapGet("/images.csv", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
            await q.Store.FindRunAsync(runId, ct) is null ? RunEndpoints.RunNotFound(runId)
                : Csv(RunCsv.ImageResults(await q.Store.AllResultsAsync(runId, ct)), runId, "images"))
            .WithName("ExportImages").WithSummary("Per-image results as CSV: a row per image and method (label, prediction, probabilities, ROI, URIs)");

        exports.MapGet("/classes.csv", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
            await q.Store.FindRunAsync(runId, ct) is null ? RunEndpoints.RunNotFound(runId)
                : Csv(RunCsv.ClassAggregates(await q.Store.ClassAggregatesAsync(runId, ct)), runId, "classes"))
            .WithName("ExportClasses").WithSummary("Class aggregates as CSV: a row per method and class (70% ROI, score mean/std, image ROI ratios)");

        exports.MapGet("/failures.csv", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
            await q.Store.FindRunAsync(runId, ct) is null ? RunEndpoints.RunNotFound(runId)
                : Csv(RunCsv.Failures(await q.Store.FailuresAsync(runId, ct)), runId, "failures"))
            .WithName("ExportFailures").WithSummary("Failed images as CSV: image, stage, reason");
    }

    private static FileContentHttpResult Csv(byte[] data, Guid runId, string what) => TypedResults.File(data, "text/csv; charset=utf-8", $"{runId:D}-{what}.csv");
}
