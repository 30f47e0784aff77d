using System.Text.Json;
using BatchXai.Core.Aggregation;
using BatchXai.Core.Methods;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Api;

/// <summary>Class-level views: average maps with their 70% ROI boxes, the ROI-ratio table, score distributions.</summary>
public static class ClassEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs/{runId:guid}").WithTags("classes");

        runs.MapGet("/classes", async Task<Results<Ok<ClassView[]>, NotFound<ApiError>>> (Guid runId, string? method, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is null) return RunEndpoints.RunNotFound(runId);
            return TypedResults.Ok((await AggregatesAsync(q, runId, method, null, ct)).Select(a => ToView(runId, a)).ToArray());
        }).WithName("ListClassViews").WithSummary("Class-level average maps per method (optionally one method) with their 70% ROI boxes and map URLs");

        runs.MapGet("/roi-table", async Task<Results<Ok<RoiTable>, NotFound<ApiError>>> (Guid runId, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var aggregates = await q.Store.ClassAggregatesAsync(runId, ct);
            var methods = RunViews.Methods(run);
            var rows = aggregates.GroupBy(a => (a.ClassIndex, a.ClassName)).OrderBy(g => g.Key.ClassIndex)
                .Select(g => new RoiTableRow(g.Key.ClassIndex, g.Key.ClassName,
                    g.ToDictionary(a => a.Method, a => new RoiCell(a.ImageCount, a.RoiRatio, a.ImageRoiRatioMean, a.ImageRoiRatioStd))))
                .ToArray();
            return TypedResults.Ok(new RoiTable(methods, rows));
        }).WithName("GetRoiTable").WithSummary("ROI ratios per class (rows) and method (columns): class-level 70% ROI and per-image 20% ROI mean/std (CRM paper Table 3 analog)");

        runs.MapGet("/distributions", async Task<Results<Ok<Distribution[]>, NotFound<ApiError>>> (Guid runId, string? method, int? @class, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is null) return RunEndpoints.RunNotFound(runId);
            return TypedResults.Ok((await AggregatesAsync(q, runId, method, @class, ct)).Select(a =>
            {
                bool signed = MethodRegistry.IsSigned(a.Method);
                return new Distribution(a.Method, a.ClassIndex, a.ClassName, a.ImageCount, signed,
                    Histogram(a.ScoreHistogramJson, ClassLevelAccumulator.ScoreMin(signed), a.ScoreMean, a.ScoreStd),
                    Histogram(a.ImageRoiRatioHistogramJson, 0, a.ImageRoiRatioMean, a.ImageRoiRatioStd));
            }).ToArray());
        }).WithName("ListDistributions").WithSummary("Score distributions per class and method: histogram of normalised map scores with mean/std (CRM paper Fig. 6 analog; over [0, 1], a signed method's over [−1, 1]), and of per-image ROI ratios");
    }

    private static async Task<IEnumerable<ClassAggregateRow>> AggregatesAsync(RunQueries q, Guid runId, string? method, int? classIndex, CancellationToken ct) =>
        (await q.Store.ClassAggregatesAsync(runId, ct)).Where(a => (method is null || a.Method == method) && (classIndex is null || a.ClassIndex == classIndex));

    // The aggregator's histograms end at 1 (normalised scores and ROI ratios); they start at 0, a signed method's scores at −1.
    private static HistogramData Histogram(string countsJson, double min, double mean, double std) =>
        new(min, 1, JsonSerializer.Deserialize<long[]>(countsJson) ?? [], mean, std);

    private static ClassView ToView(Guid runId, ClassAggregateRow a) => new(a.Method, MethodRegistry.IsSigned(a.Method), a.ClassIndex, a.ClassName, a.Selection, a.ImageCount,
        a.RoiThreshold, a.RoiPixels, a.RoiRatio, new Box(a.RoiX0, a.RoiY0, a.RoiX1, a.RoiY1), a.ScoreMean, a.ScoreStd,
        a.ImageRoiRatioMean, a.ImageRoiRatioStd,
        RunViews.FileUrl(runId, RunViews.Relative(runId, ResultKeys.ClassStem(runId, a.Method, a.ClassIndex, a.ClassName) + ".png")));
}
