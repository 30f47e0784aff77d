using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Api;

/// <summary>The image browser: filtered pages of images with every stored picture of each, the originals and stored files.</summary>
public static class ImageEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs/{runId:guid}").WithTags("images");

        runs.MapGet("/images", async Task<Results<Ok<ImagePage>, NotFound<ApiError>, BadRequest<ApiError>>> (Guid runId, int? @class, string? filter, int? offset, int? limit,
            RunQueries q, RunPictures pictures, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            ImageFilter query;
            try
            {
                query = new ImageFilter(ImageFilter.ParseOutcome(filter), @class, Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 48, 1, ImageFilter.MaxLimit));
            }
            catch (ArgumentException e) { return TypedResults.BadRequest(new ApiError(e.Message)); }
            return TypedResults.Ok(await PageAsync(run, query, q, pictures, ct));
        }).WithName("ListImages")
          .WithSummary("Images of a run, paged in key order: filter=all|correct|wrong|failed, class=label index (prediction for unlabelled images); each with probabilities, label vs prediction, per-method results and every stored picture (overlays, composites)");

        runs.MapGet("/image-keys", async Task<Results<Ok<ImageKeys>, NotFound<ApiError>, BadRequest<ApiError>>> (Guid runId, int? @class, string? filter, RunQueries q, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            ImageFilter query;
            try { query = new ImageFilter(ImageFilter.ParseOutcome(filter), @class, 0, ImageFilter.MaxKeys); }
            catch (ArgumentException e) { return TypedResults.BadRequest(new ApiError(e.Message)); }
            if (query.Outcome == ImageOutcome.Failed)
            {
                var (failedTotal, failures) = await q.FailedImagesAsync(runId, query, ct);
                return TypedResults.Ok(new ImageKeys(failedTotal, failures.Select(f => f.ImageKey).ToArray()));
            }
            var methods = RunViews.Methods(run);
            if (methods.Length == 0) return TypedResults.Ok(new ImageKeys(0, []));
            var (total, keys) = await q.ExplainedImagesAsync(runId, methods[0], query, ct);
            return TypedResults.Ok(new ImageKeys(total, keys.ToArray()));
        }).WithName("ListImageKeys")
          .WithSummary("The keys of the images a filter selects (as /images, without paging; the first 10000): what the image view steps through with ← and →");

        runs.MapGet("/image", async Task<Results<Ok<ImageItem>, NotFound<ApiError>>> (Guid runId, string key, RunQueries q, RunPictures pictures, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var rows = await q.ResultsOfAsync(runId, [key], ct);
            if (rows.Count > 0)
            {
                var pictureKeys = await pictures.KeysAsync(run, ct);
                var fov = await q.FieldsOfViewOfAsync(runId, [key], ct);
                return TypedResults.Ok(Item(run, key, rows, pictureKeys, RunPictures.Folders(pictureKeys), fov.GetValueOrDefault(key)));
            }
            if (await q.FailureOfAsync(runId, key, ct) is { } failure) return TypedResults.Ok(FailedItem(run, failure));
            return TypedResults.NotFound(new ApiError($"run {runId:D} has no image '{key}'"));
        }).WithName("GetImage").WithSummary("One image of a run by its key");

        runs.MapGet("/original", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid runId, string key, RunQueries q, RunStores stores, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            // Only images of the run: not any file of its dataset folder (e.g. one the run excluded).
            if (!await q.HasImageAsync(runId, key, ct)) return TypedResults.NotFound(new ApiError($"run {runId:D} has no image '{key}'"));
            // A frame of a multi-frame DICOM file (file#frame) is shown from its file.
            var (file, frame) = FrameKeys.Split(key);
            byte[] data;
            try { data = await stores.Dataset(run).ReadAsync(file, ct); }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException) { return TypedResults.NotFound(new ApiError($"dataset image '{key}' not found")); }
            return ImageFormatSniffer.Detect(data) switch
            {
                ImageFormat.Jpeg => TypedResults.File(data, "image/jpeg"),
                ImageFormat.Png => TypedResults.File(data, "image/png"),
                // Browsers do not show TIFF (Messidor): convert. A file that does not decode failed in the run too.
                _ => TryPng(data, frame ?? 0) is { } png ? TypedResults.File(png, "image/png") : TypedResults.NotFound(new ApiError($"dataset image '{key}' cannot be shown")),
            };
        }).WithName("GetOriginal").WithSummary("An image of the run (explained or failed) as the browser can show it (JPEG and PNG as stored, TIFF converted to PNG)");

        runs.MapGet("/files/{**path}", async Task<Results<FileContentHttpResult, NotFound<ApiError>>> (Guid runId, string path, HttpContext http, RunQueries q, RunStores stores, CancellationToken ct) =>
        {
            if (await q.Store.FindRunAsync(runId, ct) is not { } run) return RunEndpoints.RunNotFound(runId);
            var type = Path.GetExtension(path) switch { ".png" => "image/png", ".npy" => "application/octet-stream", ".csv" => "text/csv", _ => null };
            if (type is null) return TypedResults.NotFound(new ApiError($"'{path}': only .png, .npy and .csv files are served"));
            try
            {
                var data = await stores.Results(run).ReadAsync($"{ResultKeys.RunFolder(runId)}/{path}", ct);
                // A completed run's files do not change: let the browser keep them.
                if (run.Status == RunStatus.Completed) http.Response.Headers.CacheControl = "private, max-age=3600";
                return TypedResults.File(data, type, type == "image/png" ? null : Path.GetFileName(path));
            }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException) { return TypedResults.NotFound(new ApiError($"run {runId:D} has no file '{path}'")); }
        }).WithName("GetRunFile").WithSummary("A stored file of the run by its path under the run folder: overlays and class maps (.png), maps (.npy), reports (.csv)");
    }

    private static byte[]? TryPng(byte[] data, int frame)
    {
        try { return PngEncoder.Encode(ImageDecoder.Decode(data, frame: frame)); }
        catch (ImageDecodeException) { return null; }
    }

    private static async Task<ImagePage> PageAsync(RunRow run, ImageFilter query, RunQueries q, RunPictures pictures, CancellationToken ct)
    {
        if (query.Outcome == ImageOutcome.Failed)
        {
            var (failedTotal, failures) = await q.FailedImagesAsync(run.Id, query, ct);
            return new ImagePage(failedTotal, query.Offset, query.Limit, failures.Select(f => FailedItem(run, f)).ToArray());
        }
        var methods = RunViews.Methods(run);
        if (methods.Length == 0) return new ImagePage(0, query.Offset, query.Limit, []);
        var (total, keys) = await q.ExplainedImagesAsync(run.Id, methods[0], query, ct);
        var rows = (await q.ResultsOfAsync(run.Id, keys, ct)).ToLookup(r => r.ImageKey, StringComparer.Ordinal);
        var pictureKeys = await pictures.KeysAsync(run, ct);
        var folders = RunPictures.Folders(pictureKeys);
        var fovs = await q.FieldsOfViewOfAsync(run.Id, keys, ct);
        return new ImagePage(total, query.Offset, query.Limit, keys.Select(k => Item(run, k, rows[k].ToList(), pictureKeys, folders, fovs.GetValueOrDefault(k))).ToArray());
    }

    private static ImageItem Item(RunRow run, string key, List<ImageResultSummary> rows, string[] pictureKeys, IReadOnlyList<string> folders, ImageFieldOfViewRow? fov)
    {
        var names = RunViews.ClassNames(run);
        var first = rows[0];
        // A multi-label run has a row per (method, finding), each finding's pictures in its own folder under the method's.
        var findings = rows.Select(r => ResultKeys.FindingOf(r.TargetClass, r.MultiLabel, names)).ToArray();
        var rowFolders = rows.Select((r, i) => ResultKeys.MethodFolder(r.Method, findings[i])).ToArray();
        var pictures = RunPictures.Of(pictureKeys, folders.Concat(rowFolders).Distinct(StringComparer.Ordinal), key)
            .Select(p => new Picture(p.Folder, p.Kind, RunViews.FileUrl(run.Id, p.Key))).ToArray();
        var results = rows.Select((r, i) => new MethodResult(r.Method, r.MapMax, r.MapMean, r.RoiPixels, r.RoiRatio, new Box(r.RoiX0, r.RoiY0, r.RoiX1, r.RoiY1),
            r.CompletenessDelta, r.MultiLabel ? r.TargetClass : null, r.MultiLabel ? RunViews.ClassName(names, r.TargetClass) : null, rowFolders[i],
            RunViews.OverlayUrl(run.Id, r.Method, key, findings[i]), Core.Methods.MethodRegistry.IsSigned(r.Method), r.FindingCorrect)).ToArray();
        // Correct: the label is the prediction; on a multi-label run, every labelled (image, finding) pair's (FindingOutcome).
        bool? correct = first.MultiLabel ? FindingOutcome.OfImage(rows.Select(r => r.FindingCorrect))
            : first.Label is int label ? label == first.Predicted : null;
        return new ImageItem(key, first.Label, RunViews.ClassName(names, first.Label), first.Predicted, RunViews.ClassName(names, first.Predicted),
            correct, JsonSerializer.Deserialize<float[]>(first.ProbabilitiesJson) ?? [],
            RunViews.OriginalUrl(run.Id, key), pictures, results, null, null,
            fov is null ? null : new FieldOfViewView(fov.Kind, fov.Width, fov.Height, fov.CenterX, fov.CenterY, fov.Radius, fov.InsideFraction));
    }

    private static ImageItem FailedItem(RunRow run, ImageFailureRow f) =>
        new(f.ImageKey, null, null, null, null, null, [], RunViews.OriginalUrl(run.Id, f.ImageKey), [], [], f.Stage, f.Error);
}
