using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;
using BatchXai.Coordinator.Incremental;
using BatchXai.Coordinator.Models;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BatchXai.Coordinator;

/// <summary>
/// Starts runs: checks the model and methods, enumerates the dataset, records the run and
/// publishes its <see cref="ExplainBatch"/> messages. Everything that can be wrong with the
/// request is found before the first message is published.
/// </summary>
/// <param name="preflight">Runs the model once before anything is queued; null: the manifest and graph checks only.</param>
/// <param name="models">Finds the model where the request names it (s3:// or a local path) and hashes it.</param>
/// <param name="hooks">Fault-test hooks (a crash between recording a run and publishing its batches); null in service.</param>
public sealed class RunCoordinator(ResultStore results, IBus bus, RunProgressTracker progress, ILogger<RunCoordinator> log,
    IObjectStoreFactory stores, ModelResolver models, IModelPreflight? preflight = null, RunCoordinatorHooks? hooks = null)
{
    /// <summary>Images per ExplainBatch message, for every run (embedded, API, BATCH_SIZE): the one batch-size rule.</summary>
    public const int MinBatchSize = 1, MaxBatchSize = 256, DefaultBatchSize = 32;

    /// <summary>The batch-size rule; <paramref name="what"/> names where the size came from ("field 'batchSize'").</summary>
    public static int CheckBatchSize(int size, string what) =>
        size is >= MinBatchSize and <= MaxBatchSize ? size : throw new RunSetupException($"{what} = {size} is outside {MinBatchSize}..{MaxBatchSize}");

    public async Task<RunRow> StartAsync(RunRequest request, CancellationToken ct = default) =>
        await StartAsync(request, filter: null, ct) ?? throw new InvalidOperationException("a run without a filter always starts");

    /// <summary>
    /// Starts a run over the images <paramref name="filter"/> keeps (e.g. those not explained yet);
    /// null, and nothing recorded or queued, when it keeps none.
    /// </summary>
    public async Task<RunRow?> StartAsync(RunRequest request, IListingFilter? filter, CancellationToken ct = default)
    {
        CheckBatchSize(request.BatchSize, "batch size");
        var resolved = await models.ResolveAsync(request.ModelManifestPath, ct);
        var model = InspectModel(resolved.ManifestPath);
        var methods = ResolveMethods(request.Methods, request.MethodOptions, model);
        var targetFinding = ResolveTarget(request.TargetChoice, model);
        foreach (var note in model.Notes) log.LogInformation("model {Model}: {Note}", model.Manifest.Name, note);
        Preflight(request, resolved.ManifestPath, methods);

        DatasetListing listing;
        int skipped = 0;
        try
        {
            using var dataset = stores.Open(request.DatasetUri);
            // Every frame of a multi-frame DICOM file is an image, unless the run chose one frame (--frame).
            listing = await new DatasetEnumerator(dataset, model.Manifest.Classes, expandFrames: !InputOptions.ChoosesFrame(request.MethodOptions)).EnumerateAsync(ct);
            if (listing.Expected == 0) throw new RunSetupException($"dataset {request.DatasetUri} holds no images");
            if (filter is not null)
            {
                var kept = await filter.FilterAsync(dataset, listing, model.Sha256, methods.Select(m => m.Name).ToList(), ct);
                skipped = listing.Images.Count - kept.Images.Count;
                log.LogInformation("dataset {Dataset}: {Skipped} of {Images} images already explained, {New} to explain",
                    request.DatasetUri, skipped, listing.Images.Count, kept.Images.Count);
                if (kept.Images.Count == 0) return null;
                listing = kept;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunSetupException($"dataset {request.DatasetUri}: {e.Message}", e);
        }

        IReadOnlyDictionary<string, string> options;
        try
        {
            options = ClassSelectionOption.Resolve(request.MethodOptions, labelled: listing.Images.Any(i => i.Label is not null || i.Findings is not null));
        }
        catch (ArgumentException e)
        {
            throw new RunSetupException(e.Message, e);
        }
        var settings = new RunSettings(request.DatasetUri, resolved.Uri, request.ResultsUri,
            methods.Select(m => m.Name).ToList(), request.TargetChoice.Mode, options, resolved.Files, targetFinding);
        var run = new RunRow
        {
            Id = NewId.NextGuid(),
            Status = RunStatus.Running,
            DatasetUri = settings.DatasetUri,
            ModelManifestUri = settings.ModelManifestUri,
            ModelName = model.Manifest.Name,
            ModelSha256 = model.Sha256,
            ResultsUri = settings.ResultsUri,
            Methods = string.Join(',', settings.Methods),
            Target = request.TargetChoice.ToString(),
            ClassNamesJson = JsonSerializer.Serialize(model.Manifest.Classes),
            Expected = listing.Expected,
            OptionsJson = JsonSerializer.Serialize(new RunOptions(request.BatchSize, options, filter is not null, skipped, resolved.Files), RunOptions.Json),
            ScheduleId = request.ScheduleId,
        };
        var batches = listing.Images.Chunk(request.BatchSize).Select((images, i) => new ExplainBatch(run.Id, i, settings, images)).ToList();
        // The batches are recorded with the run: whatever happens before or while they are
        // published, the sweep (RunSweeper) can publish again what the run still lacks.
        await results.CreateRunAsync(run, batches.Select(RunSweeper.RowOf).ToList(), ct);
        CoordinatorMetrics.RunsStarted.Add(1);
        log.LogInformation("run {Run}: {Layout}, {Images} images, {Problems} already failed, methods {Methods}",
            run.Id, listing.Description, listing.Images.Count, listing.Problems.Count, run.Methods);

        if (listing.Problems.Count > 0)
            await results.SaveFailuresAsync(run.Id, listing.Problems.Select(p => new ImageFailureRow
            {
                ImageKey = p.ImageKey, Stage = FailureStage.Enumerate, Error = p.Reason,
            }).ToList(), ct);

        if (hooks?.AfterRecording is { } afterRecording) await afterRecording(run.Id);
        await bus.PublishBatch(batches, ct);
        // A dataset whose every entry failed at enumeration completes here.
        await progress.OnProgressAsync(run.Id, ct);
        return run;
    }

    private static InspectedModel InspectModel(string manifestPath)
    {
        try
        {
            return ModelInspector.Inspect(manifestPath);
        }
        catch (ManifestException e)
        {
            throw new RunSetupException(e.Message, e);
        }
    }

    /// <summary>The class index <c>--target NAME</c> names (null for predicted/label); a name that is no class of the model stops the run.</summary>
    private static int? ResolveTarget(TargetChoice target, InspectedModel model)
    {
        try
        {
            return target.Resolve(model.Manifest.Classes);
        }
        catch (ArgumentException e)
        {
            throw new RunSetupException($"model {model.Manifest.Name}: {e.Message}", e);
        }
    }

    /// <summary>A model that would fail every image (a tensor it cannot fetch, a graph the runtime cannot run) fails the request.</summary>
    private void Preflight(RunRequest request, string manifestPath, IReadOnlyList<IExplanationMethod> methods)
    {
        if (preflight is null) return;
        try
        {
            preflight.Check(manifestPath, methods.Select(m => m.Name).ToList(), request.MethodOptions);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new RunSetupException($"model {request.ModelManifestPath} cannot serve this run: {e.Message}", e);
        }
    }

    /// <summary>
    /// Every option checked against its declaration (an unknown name or a bad value stops the run
    /// here, for embedded and distributed runs alike, not on every image), and the methods resolved
    /// for this model's head.
    /// </summary>
    private static IReadOnlyList<IExplanationMethod> ResolveMethods(IReadOnlyList<string> names, IReadOnlyDictionary<string, string>? options, InspectedModel model)
    {
        try
        {
            RunOptionCatalogue.Check(options);
            return MethodRegistry.ResolveFor(model.HeadKind, model.Manifest.Name, names, new MethodOptions(options));
        }
        catch (ArgumentException e)
        {
            throw new RunSetupException(e.Message, e);
        }
    }
}
