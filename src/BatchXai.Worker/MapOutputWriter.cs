using System.Text.Json;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// Turns one image's map for one method into its stored outputs (docs/architecture.md, "Storage layout"): the map at input
/// size as .npy (float32, <c>np.load</c>-able), the map at the method's own resolution as
/// .feature.npy when that differs and is larger than the row's low-resolution copy (which holds small grids exactly)
/// (both as the method made them: signed maps keep their sign), a PNG
/// overlay (values ≥ 20% of the map's 99.5th-percentile scale, CRM paper §4.2, with the ROI box; signed
/// methods in the diverging colour map, |value| ≥ 20%), and the result row with its statistics. CLEAR maps also get their class responses
/// and dominant classes as .npy, and the CLEAR composite with its legend as the overlay.
/// </summary>
/// <param name="classNames">Class names in logit order, for the CLEAR legend.</param>
public sealed class MapOutputWriter(IObjectStore output, Guid runId, IReadOnlyList<string>? classNames = null)
{
    public static readonly Rgb RoiBoxColour = new(255, 255, 255);

    /// <param name="overlayImage">What the overlay is drawn on: the original image's region the model saw at the
    /// run's overlay size (the map is upsampled to it); null: the model-input image. CLEAR composites stay at input size.</param>
    /// <param name="finding">A multi-label run's finding folder (<see cref="ResultKeys.FindingFolder"/>): the map is the image's for that finding.</param>
    public async Task<ImageResultRow> WriteAsync(string method, string imageKey, ExplanationMap map, RgbImage inputImage, CancellationToken ct,
        RgbImage? overlayImage = null, string? finding = null)
    {
        var inputMap = AtSize(map, inputImage.Height, inputImage.Width);
        bool signed = MethodRegistry.IsSigned(method);
        var stats = RoiStats.Compute(inputMap, signed);

        await output.WriteAsync(ResultKeys.ImageMap(runId, method, imageKey, finding), Npy(inputMap), ct);
        // A map small enough to be the row's own low-resolution copy (CAM/CRM feature grids) is
        // stored there exactly, once: no .feature.npy object (one PUT less per image and method).
        if (!ReferenceEquals(inputMap, map) && !FitsRow(map))
            await output.WriteAsync(ResultKeys.ImageFeatureMap(runId, method, imageKey, finding), Npy(map), ct);

        var overlay = map.ClassResponses is { } clear
            ? await WriteClearAsync(imageKey, clear, inputMap, inputImage, method, finding, ct)
            : HeatmapOverlay.Render(overlayImage ?? inputImage, MapFor(inputMap, overlayImage).Normalized(signed, stats.Scale).Values, RoiStats.DefaultThreshold,
                signed: signed);
        if (!stats.RoiBox.IsEmpty)
        {
            // The ROI box is found at input size; scale it to the picture it is drawn on.
            double sx = (double)overlay.Width / inputMap.Width, sy = (double)overlay.Height / inputMap.Height;
            HeatmapOverlay.DrawBox(overlay, (int)(stats.RoiBox.X0 * sx), (int)(stats.RoiBox.Y0 * sy),
                Math.Min(overlay.Width - 1, (int)((stats.RoiBox.X1 + 1) * sx) - 1), Math.Min(overlay.Height - 1, (int)((stats.RoiBox.Y1 + 1) * sy) - 1), RoiBoxColour,
                thickness: Math.Max(1, Math.Max(overlay.Width, overlay.Height) / 256));
        }
        var pngKey = ResultKeys.ImageOverlay(runId, method, imageKey, finding);
        await output.WriteAsync(pngKey, PngEncoder.Encode(overlay), ct);

        var lowRes = LowRes(map);
        return new ImageResultRow
        {
            ImageKey = imageKey,
            Method = method,
            MapHeight = lowRes.Height,
            MapWidth = lowRes.Width,
            MapLowRes = LowResMapBytes.From(lowRes.Values),
            MapMax = stats.Max,
            MapMean = stats.Mean,
            RoiPixels = stats.RoiPixels,
            RoiRatio = stats.RoiRatio,
            RoiX0 = stats.RoiBox.X0, RoiY0 = stats.RoiBox.Y0, RoiX1 = stats.RoiBox.X1, RoiY1 = stats.RoiBox.Y1,
            CompletenessDelta = map.CompletenessDelta,
            PathSteps = map.PathSteps,
            NpyUri = output.UriOf(ResultKeys.ImageMap(runId, method, imageKey, finding)),
            PngUri = output.UriOf(pngKey),
        };
    }

    /// <summary>R (N×H×W) and Ĉ (H×W) as .npy; returns the CLEAR composite, V = D normalised by its maximum.</summary>
    private async Task<RgbImage> WriteClearAsync(string imageKey, ClassResponseMaps clear, ExplanationMap dominantResponse, RgbImage inputImage,
        string method, string? finding, CancellationToken ct)
    {
        if (clear.Height != inputImage.Height || clear.Width != inputImage.Width)
            throw new InvalidOperationException($"{method}: class responses of {clear.Height}x{clear.Width} for a {inputImage.Height}x{inputImage.Width} input image");
        await output.WriteAsync(ResultKeys.ImageClassResponses(runId, method, imageKey, finding),
            NpyFile.ToBytes(clear.Responses, [clear.Classes, clear.Height, clear.Width]), ct);
        using var dominant = new MemoryStream();
        NpyFile.WriteInt32(dominant, clear.DominantClass, [clear.Height, clear.Width]);
        await output.WriteAsync(ResultKeys.ImageDominantClass(runId, method, imageKey, finding), dominant.ToArray(), ct);
        var names = classNames ?? Enumerable.Range(0, clear.Classes).Select(d => d.ToString()).ToArray();
        return ClearComposite.Render(inputImage, clear.DominantClass, dominantResponse.NormalizedByMax().Values, names, RoiStats.DefaultThreshold);
    }

    /// <summary>The map at a size (model-input size), bilinear when it is at the method's own resolution.</summary>
    public static ExplanationMap AtSize(ExplanationMap map, int height, int width) =>
        map.Height == height && map.Width == width ? map : BilinearUpsampler.Resize(map, height, width);

    private static ExplanationMap MapFor(ExplanationMap inputMap, RgbImage? overlayImage) =>
        overlayImage is null ? inputMap : AtSize(inputMap, overlayImage.Height, overlayImage.Width);

    public static byte[] Npy(ExplanationMap map) => NpyFile.ToBytes(map.Values, [map.Height, map.Width]);

    /// <summary>
    /// The row keeps a small copy of the map for dashboards: the method's own grid when it is
    /// small (CAM/CRM feature maps), otherwise a 32×32 resample (input-size gradient maps).
    /// </summary>
    public const int LowResSide = 32;

    private static ExplanationMap LowRes(ExplanationMap map) =>
        FitsRow(map) ? map : BilinearUpsampler.Resize(map, LowResSide, LowResSide);

    /// <summary>Whether the row's low-resolution copy is the map itself (its own grid, not a resample).</summary>
    public static bool FitsRow(ExplanationMap map) => map.Height * map.Width <= LowResSide * LowResSide;

    public static string ProbabilitiesJson(ReadOnlySpan<float> probabilities) => JsonSerializer.Serialize(probabilities.ToArray());
}
