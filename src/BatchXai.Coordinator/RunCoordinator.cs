using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;
using BatchXai.Core.Methods;
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
public sealed class RunCoordinator(ResultStore results, IBus bus, RunProgressTracker progress, ILogger<RunCoordinator> log)
{
    public const int MinBatchSize = 1, MaxBatchSize = 256;

    public async Task<RunRow> StartAsync(RunRequest request, CancellationToken ct = default)
    {
        if (request.BatchSize is < MinBatchSize or > MaxBatchSize)
            throw new RunSetupException($"batch size {request.BatchSize} is outside {MinBatchSize}..{MaxBatchSize}");
        var model = InspectModel(request.ModelManifestPath);
        var methods = ResolveMethods(request.Methods, request.MethodOptions, model);

        DatasetListing listing;
        try
        {
            using var dataset = ObjectStores.Open(request.DatasetUri);
            listing = await new DatasetEnumerator(dataset, model.Manifest.Classes).EnumerateAsync(ct);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunSetupException($"dataset {request.DatasetUri}: {e.Message}", e);
        }
        if (listing.Expected == 0) throw new RunSetupException($"dataset {request.DatasetUri} holds no images");

        var settings = new RunSettings(request.DatasetUri, Path.GetFullPath(request.ModelManifestPath), request.ResultsUri,
            methods.Select(m => m.Name).ToList(), request.Target, request.MethodOptions);
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
            Target = settings.Target.ToString().ToLowerInvariant(),
            ClassNamesJson = JsonSerializer.Serialize(model.Manifest.Classes),
            Expected = listing.Expected,
        };
        await results.CreateRunAsync(run, ct);
        log.LogInformation("run {Run}: {Layout}, {Images} images, {Problems} already failed, methods {Methods}",
            run.Id, listing.Description, listing.Images.Count, listing.Problems.Count, run.Methods);

        if (listing.Problems.Count > 0)
            await results.SaveFailuresAsync(run.Id, listing.Problems.Select(p => new ImageFailureRow
            {
                ImageKey = p.ImageKey, Stage = FailureStage.Enumerate, Error = p.Reason,
            }).ToList(), ct);

        var batches = listing.Images.Chunk(request.BatchSize).Select((images, i) => new ExplainBatch(run.Id, i, settings, images)).ToList();
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

    private static IReadOnlyList<IExplanationMethod> ResolveMethods(IReadOnlyList<string> names, IReadOnlyDictionary<string, string>? options, InspectedModel model)
    {
        IReadOnlyList<IExplanationMethod> methods;
        try
        {
            methods = MethodRegistry.Resolve(string.Join(',', names), new MethodOptions(options));
        }
        catch (ArgumentException e)
        {
            throw new RunSetupException(e.Message, e);
        }
        var unsupported = methods.Select(m => m.WhyUnsupported(model.HeadKind)).OfType<string>().ToList();
        if (unsupported.Count > 0)
            throw new RunSetupException($"model {model.Manifest.Name}: {string.Join("; ", unsupported)}");
        return methods;
    }
}
