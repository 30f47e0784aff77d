using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Onnx.Model;
using Xunit.Abstractions;

namespace BatchXai.Tests.Localisation;

/// <summary>
/// Does the bundled grader's CRM/CAM point at the planted lesions? On held-apart synthetic
/// images (a seed the models never saw), the pointing game asks whether a map's maximum, brought
/// back to the photo's coordinates, falls on a lesion of the ground-truth mask, within one
/// feature cell (the map's own resolution: a 20×20 map of a 320-px photo cannot place a peak
/// closer than its 16-px cells). The half-cell figure is reported too.
/// </summary>
public sealed class PointingGameTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 60;
    /// <summary>Required share of lesion-bearing images whose map maximum hits a lesion.</summary>
    private const double RequiredHitRate = 0.75;

    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-pointing-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    public static string BundledModel(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BatchXai.sln"))) return Path.Combine(dir.FullName, "models", name);
        throw new FileNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Crm_and_cam_of_the_bundled_grader_point_at_planted_lesions()
    {
        using var model = ExplainableModel.Load(BundledModel("dr_grader.json"));
        var (prepared, input) = HeldApartFundi.Prepare(_data, Images, model);
        var forward = model.Forward(input, prepared.Count);
        var predicted = HeldApartFundi.Predictions(forward.Logits, prepared.Count, model.Head.Classes);
        var request = new ExplanationRequest(forward.Features, forward.Logits, predicted, model.Head, forward.ClassScoreMaps);

        int cell = (int)Math.Ceiling((double)prepared[0].Image.SourceRegion.Width / model.FeatureShape.V);
        int accuracy = prepared.Select((p, i) => p.Grade == predicted[i] ? 1 : 0).Sum();
        output.WriteLine($"held-apart accuracy {accuracy}/{prepared.Count}; feature cell = {cell} px in the photo");

        foreach (var method in new IExplanationMethod[] { new CrmMethod(), new CamMethod() })
        {
            var maps = method.Explain(request);
            int lesionImages = 0, hits = 0, halfCellHits = 0;
            for (int i = 0; i < prepared.Count; i++)
            {
                var (image, mask, maskSize, _) = prepared[i];
                if (!mask.Any(v => v > 0)) continue;
                lesionImages++;
                var atInput = BilinearUpsampler.Resize(maps[i], image.Image.Height, image.Image.Width);
                int peak = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(atInput.Values);
                // Input pixel centre → photo coordinates through the crop the preprocessor took.
                double sx = image.SourceRegion.X + (peak % atInput.Width + 0.5) * image.SourceRegion.Width / atInput.Width;
                double sy = image.SourceRegion.Y + (peak / atInput.Width + 0.5) * image.SourceRegion.Height / atInput.Height;
                if (LesionNear(mask, maskSize, (int)sx, (int)sy, cell)) hits++;
                if (LesionNear(mask, maskSize, (int)sx, (int)sy, cell / 2)) halfCellHits++;
            }
            double rate = (double)hits / lesionImages;
            output.WriteLine($"{method.Name}: map maximum within one cell of a lesion for {hits}/{lesionImages} lesion-bearing images ({rate:P0}); " +
                $"within half a cell {halfCellHits}/{lesionImages} ({(double)halfCellHits / lesionImages:P0})");
            Assert.True(rate >= RequiredHitRate, $"{method.Name}: pointing game {hits}/{lesionImages} = {rate:P0}, below {RequiredHitRate:P0}");
        }
    }

    private static bool LesionNear(byte[] mask, int size, int x, int y, int radius)
    {
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
            {
                int px = x + dx, py = y + dy;
                if (px >= 0 && py >= 0 && px < size && py < size && dx * dx + dy * dy <= radius * radius && mask[py * size + px] > 0) return true;
            }
        return false;
    }
}
