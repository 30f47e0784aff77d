using System.Text.Json;
using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Schedules;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// The coordinator's HTTP API: start and inspect runs, their failures, the error queues, and
/// recurring schedules. Bad requests answer 400 with the field that is wrong; nothing is queued.
/// </summary>
public static class CoordinatorApi
{
    public const int MaxListed = 500;

    public static void MapCoordinatorApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/runs", async (StartRunRequest request, RunRequestFactory factory, RunCoordinator coordinator, CancellationToken ct) =>
            await BadRequestOnSetupError(async () =>
            {
                var run = await coordinator.StartAsync(factory.Create(request), ct);
                return Results.Created($"/runs/{run.Id:D}", RunView.Of(run));
            }));

        app.MapGet("/runs", async (RunCatalog catalog, int? limit, CancellationToken ct) =>
            (await catalog.RecentRunsAsync(Math.Clamp(limit ?? 50, 1, MaxListed), ct)).Select(RunView.Of));

        app.MapGet("/runs/{id:guid}", async (Guid id, ResultStore results, CancellationToken ct) =>
            await results.FindRunAsync(id, ct) is { } run ? Results.Ok(RunView.Of(run)) : NotFound($"no run {id}"));

        app.MapGet("/runs/{id:guid}/failures", async (Guid id, ResultStore results, CancellationToken ct) =>
        {
            if (await results.FindRunAsync(id, ct) is null) return NotFound($"no run {id}");
            return Results.Ok((await results.FailuresAsync(id, ct)).Select(f => new FailureView(f.ImageKey, f.Stage, f.Error)));
        });

        app.MapGet("/errors", async (ErrorQueueReader reader, int? peek, CancellationToken ct) =>
        {
            var queues = await reader.ReadAsync(Math.Clamp(peek ?? 20, 0, MaxListed), ct);
            return Results.Ok(new { total = queues.Sum(q => q.Count), queues });
        });

        app.MapPost("/schedules", async (CreateScheduleRequest request, ScheduleService schedules, CancellationToken ct) =>
            await BadRequestOnSetupError(async () =>
            {
                var created = await schedules.CreateAsync(request, ct);
                return Results.Created($"/schedules/{created.Id:D}", schedules.View(created));
            }));

        app.MapGet("/schedules", async (ScheduleService schedules, ScheduleStore store, CancellationToken ct) =>
        {
            return (await store.AllAsync(ct)).Select(schedules.View).ToList();
        });

        app.MapGet("/schedules/{id:guid}", async (Guid id, ScheduleService schedules, ScheduleStore store, CancellationToken ct) =>
            await store.FindAsync(id, ct) is { } s ? Results.Ok(schedules.View(s)) : NotFound($"no schedule {id}"));

        // Fires the schedule's job now, as its cron would; the outcome appears on the schedule.
        app.MapPost("/schedules/{id:guid}/trigger", async (Guid id, ScheduleService schedules, ScheduleStore store, CancellationToken ct) =>
        {
            if (await store.FindAsync(id, ct) is null) return NotFound($"no schedule {id}");
            schedules.TriggerNow(id);
            return Results.Accepted($"/schedules/{id:D}");
        });
    }

    private static IResult NotFound(string message) => Results.NotFound(new ApiError(message));

    private static async Task<IResult> BadRequestOnSetupError(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is RunSetupException or ManifestException or ModelLoadException or OnnxGraphException or ArgumentException or JsonException)
        {
            return Results.BadRequest(new ApiError(e.Message));
        }
    }
}
