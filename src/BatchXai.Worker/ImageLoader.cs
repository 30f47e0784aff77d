using System.Collections.Concurrent;
using System.Security.Cryptography;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// Fetches, decodes and preprocesses a batch's images in parallel, and finds each prepared image's
/// field of view (<paramref name="fieldOfView"/>, from the manifest) while it is at hand. A bad image
/// (missing, corrupt, truncated, unsupported) fails that image with its reason; the others go on.
/// Up to <paramref name="reads"/> images are fetched at once and <paramref name="parallelism"/> decoded at
/// once: against a remote store (S3) each read is a round trip, and the next images' reads wait on the
/// network while the fetched ones decode, instead of each decoding lane waiting for its own read.
/// </summary>
public sealed class ImageLoader(ImagePreprocessor preprocessor, int sampleSize, int parallelism, FieldOfViewMode fieldOfView, int reads = 1)
{
    private readonly record struct Loaded(int Index, PreparedImage? Image, RgbImage? Overlay, FieldOfView? FieldOfView, string Hash, string? Stage, string? Error);

    public async Task<PreparedBatch> LoadAsync(IObjectStore dataset, IReadOnlyList<ImageRef> images, CancellationToken ct) =>
        await LoadAsync(dataset, images, InputOptions.Defaults, ct);

    /// <param name="input">The run's window and frame for DICOM images.</param>
    public async Task<PreparedBatch> LoadAsync(IObjectStore dataset, IReadOnlyList<ImageRef> images, InputOptions input, CancellationToken ct)
    {
        var loaded = new ConcurrentBag<Loaded>();
        using var decoding = new SemaphoreSlim(parallelism);
        await Parallel.ForEachAsync(Enumerable.Range(0, images.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(parallelism, reads), CancellationToken = ct },
            async (i, token) => loaded.Add(await LoadOneAsync(dataset, i, images[i].Key, input, decoding, token)));

        var batch = new PreparedBatch();
        var ok = loaded.Where(l => l.Image is not null).OrderBy(l => l.Index).ToList();
        batch.Tensor = new float[ok.Count * sampleSize];
        foreach (var failed in loaded.Where(l => l.Image is null).OrderBy(l => l.Index))
            batch.Fail(images[failed.Index].Key, failed.Stage!, failed.Error!);
        for (int j = 0; j < ok.Count; j++)
        {
            var prepared = ok[j];
            batch.Images.Add(images[prepared.Index]);
            batch.PreparedImages.Add(prepared.Image!);
            batch.OverlayImages.Add(prepared.Overlay!);
            batch.FieldsOfView.Add(prepared.FieldOfView);
            batch.ContentHashes.Add(prepared.Hash);
            preprocessor.WriteTensor(prepared.Image!, batch.Tensor.AsSpan(j * sampleSize, sampleSize));
        }
        return batch;
    }

    private async Task<Loaded> LoadOneAsync(IObjectStore dataset, int index, string key, InputOptions input, SemaphoreSlim decoding, CancellationToken ct)
    {
        // A frame of a multi-frame DICOM file (file#frame) reads the file; the key's frame wins over the run's --frame.
        var (file, keyFrame) = FrameKeys.Split(key);
        byte[] bytes;
        try
        {
            using (WorkerMetrics.Stage(WorkerMetrics.Stages.Read)) bytes = await dataset.ReadAsync(file, ct);
        }
        // An unreachable store is not this image's fault: StoreUnavailableException goes up and the whole batch is retried.
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException or ArgumentException) and not StoreUnavailableException)
        {
            return new Loaded(index, null, null, null, "", Contracts.FailureStage.Read, e.Message);
        }
        await decoding.WaitAsync(ct);
        try
        {
            return Decode(index, bytes, keyFrame, input);
        }
        finally
        {
            decoding.Release();
        }
    }

    private Loaded Decode(int index, byte[] bytes, int? keyFrame, InputOptions input)
    {
        string hash = FrameKeys.ContentId(Convert.ToHexStringLower(SHA256.HashData(bytes)), keyFrame);
        try
        {
            using var decoding = WorkerMetrics.Stage(WorkerMetrics.Stages.Decode);
            // Decode at reduced scale where the codec allows (a 4288×2848 fundus photo for a 160 px
            // model), keeping enough pixels for the overlay.
            var image = ImageDecoder.DecodeLevels(bytes, maxSide: Math.Max(Math.Max(preprocessor.Spec.Height, preprocessor.Spec.Width), input.OverlaySize),
                input.WindowOver(preprocessor.Spec.Window), keyFrame ?? input.Frame);
            var prepared = preprocessor.Prepare(image);
            var pixels = prepared.Image;
            return new Loaded(index, prepared, OverlayImage(image.Pixels, prepared.SourceRegion, input.OverlaySize),
                FieldOfViewDetector.Detect(pixels.Pixels, pixels.Height, pixels.Width, fieldOfView), hash, null, null);
        }
        catch (ImageDecodeException e)
        {
            return new Loaded(index, null, null, null, hash, Contracts.FailureStage.Decode, e.Reason);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return new Loaded(index, null, null, null, hash, Contracts.FailureStage.Preprocess, e.Message);
        }
    }

    /// <summary>The region of the original the model saw, resized so its long side is <paramref name="longSide"/>.</summary>
    private static RgbImage OverlayImage(RgbImage original, PixelRect region, int longSide)
    {
        double scale = (double)longSide / Math.Max(region.Width, region.Height);
        int width = Math.Max(1, (int)Math.Round(region.Width * scale)), height = Math.Max(1, (int)Math.Round(region.Height * scale));
        return Resampler.Resize(original, region, width, height);
    }
}
