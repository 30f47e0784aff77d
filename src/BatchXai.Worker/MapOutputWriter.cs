using System.Text.Json;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// Turns one image's map for one method into its stored outputs (DESIGN §4): the map at input
/// size as .npy (float32, <c>np.load</c>-able), the map at the method's own resolution as
/// .feature.npy when that differs, a PNG overlay (values ≥ 20% of max, CRM paper §4.2, with the
/// ROI box), and the result row with its statistics.
/// </summary>
public sealed class MapOutputWriter(IObjectStore output, Guid runId)
{
    public static readonly Rgb RoiBoxColour = new(255, 255, 255);

    public async Task<ImageResultRow> WriteAsync(string method, string imageKey, ExplanationMap map, RgbImage inputImage, CancellationToken ct)
    {
        var inputMap = map.Height == inputImage.Height && map.Width == inputImage.Width
            ? map
            : BilinearUpsampler.Resize(map, inputImage.Height, inputImage.Width);
        var stats = RoiStats.Compute(inputMap);

        await output.WriteAsync(ResultKeys.ImageMap(runId, method, imageKey), Npy(inputMap), ct);
        if (!ReferenceEquals(inputMap, map))
            await output.WriteAsync(ResultKeys.ImageFeatureMap(runId, method, imageKey), Npy(map), ct);

        var overlay = HeatmapOverlay.Render(inputImage, inputMap.NormalizedByMax().Values, RoiStats.DefaultThreshold);
        if (!stats.RoiBox.IsEmpty)
            HeatmapOverlay.DrawBox(overlay, stats.RoiBox.X0, stats.RoiBox.Y0, stats.RoiBox.X1, stats.RoiBox.Y1, RoiBoxColour);
        var pngKey = ResultKeys.ImageOverlay(runId, method, imageKey);
        await output.WriteAsync(pngKey, PngEncoder.Encode(overlay), ct);

        var lowRes = LowRes(map);
        return new ImageResultRow
        {
            ImageKey = imageKey,
            Method = method,
            MapHeight = lowRes.Height,
            MapWidth = lowRes.Width,
            MapLowRes = FloatBytes(lowRes.Values),
            MapMax = stats.Max,
            MapMean = stats.Mean,
            RoiPixels = stats.RoiPixels,
            RoiRatio = stats.RoiRatio,
            RoiX0 = stats.RoiBox.X0, RoiY0 = stats.RoiBox.Y0, RoiX1 = stats.RoiBox.X1, RoiY1 = stats.RoiBox.Y1,
            CompletenessDelta = map.CompletenessDelta,
            NpyUri = output.UriOf(ResultKeys.ImageMap(runId, method, imageKey)),
            PngUri = output.UriOf(pngKey),
        };
    }

    public static byte[] Npy(ExplanationMap map) => NpyFile.ToBytes(map.Values, [map.Height, map.Width]);

    /// <summary>
    /// The row keeps a small copy of the map for dashboards: the method's own grid when it is
    /// small (CAM/CRM feature maps), otherwise a 32×32 resample (input-size gradient maps).
    /// </summary>
    public const int LowResSide = 32;

    private static ExplanationMap LowRes(ExplanationMap map) =>
        map.Height * map.Width <= LowResSide * LowResSide ? map : BilinearUpsampler.Resize(map, LowResSide, LowResSide);

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static string ProbabilitiesJson(ReadOnlySpan<float> probabilities) => JsonSerializer.Serialize(probabilities.ToArray());
}
