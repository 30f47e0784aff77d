using System.Diagnostics;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Onnx.Model;
using BatchXai.Worker;
using Xunit.Abstractions;

namespace BatchXai.Tests.Localisation;

/// <summary>
/// The done-criterion for CLEAR: on the fully convolutional grader (dr_fcn) over held-apart
/// synthetic images (a seed the model never saw), for correctly graded images with lesions, the
/// dominant class Ĉ over the ground-truth lesion pixels — the class most of those pixels take —
/// is the image's grade. Each input pixel is mapped to the photo through the crop the
/// preprocessor took and counts when the mask marks a lesion there.
/// </summary>
public sealed class ClearDominanceTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 80;

    /// <summary>
    /// Required share of correctly graded lesion images whose lesion pixels are dominated by their
    /// grade. Measured 48/66 = 0.727 (grades 1, 2 and 4: 18/18, 10/16, 20/20; grade 3's lesions are
    /// dominated by grade 4, whose class response is the strongest — see the test output).
    /// </summary>
    private const double RequiredShare = 0.65;

    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-clear-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Lesion_pixels_of_correctly_graded_images_are_dominated_by_the_grade()
    {
        using var model = ExplainableModel.Load(PointingGameTests.BundledModel("dr_fcn.json"));
        var (prepared, input) = HeldApartFundi.Prepare(_data, Images, model);
        var forward = model.Forward(input, prepared.Count);
        int classes = model.Head.Classes;
        var predicted = HeldApartFundi.Predictions(forward.Logits, prepared.Count, classes);
        var request = new ExplanationRequest(forward.Features, forward.Logits, predicted, model.Head, forward.ClassScoreMaps)
        {
            Inputs = input,
            Geometry = LoadedModel.GeometryOf(model.Manifest),
            ClassResponses = model.ClassResponses,
        };

        model.ClassResponses!.Prepare();
        var clock = Stopwatch.StartNew();
        var maps = new ClearMethod().Explain(request);
        clock.Stop();
        output.WriteLine($"CLEAR on {prepared.Count} images ({classes} classes each): {clock.Elapsed.TotalMilliseconds / prepared.Count:F1} ms per image");

        int considered = 0, hits = 0;
        var perGrade = new (int Hits, int Count)[classes];
        var winners = new int[classes, classes];
        for (int i = 0; i < prepared.Count; i++)
        {
            var (image, mask, maskSize, grade) = prepared[i];
            if (grade == 0 || predicted[i] != grade) continue;
            var votes = LesionVotes(maps[i].ClassResponses!, image, mask, maskSize, classes);
            if (votes.Sum() == 0) continue;
            considered++;
            int winner = Array.IndexOf(votes, votes.Max());
            winners[grade, winner]++;
            bool hit = winner == grade;
            if (hit) hits++;
            perGrade[grade] = (perGrade[grade].Hits + (hit ? 1 : 0), perGrade[grade].Count + 1);
        }
        double share = (double)hits / considered;
        output.WriteLine($"dr_fcn: lesion pixels dominated by the image's grade in {hits}/{considered} correctly graded lesion images ({share:P1}); " +
            "per grade 1-4: " + string.Join(", ", perGrade.Skip(1).Select((g, k) => $"{k + 1}: {g.Hits}/{g.Count}")));
        for (int g = 1; g < classes; g++)
            output.WriteLine($"grade {g}: lesion pixels dominated by class 0-4: " + string.Join(" ", Enumerable.Range(0, classes).Select(d => winners[g, d])));
        Assert.True(considered >= Images / 2, $"only {considered} correctly graded lesion images: the figure would say little");
        Assert.True(share >= RequiredShare, $"grade dominates the lesion pixels in {hits}/{considered} = {share:P0}, below {RequiredShare:P0}");
    }

    /// <summary>Per class, the lesion pixels (input pixels whose centre falls on the photo's lesion mask) whose dominant class it is.</summary>
    private static int[] LesionVotes(ClassResponseMaps clear, PreparedImage image, byte[] mask, int maskSize, int classes)
    {
        var votes = new int[classes];
        var region = image.SourceRegion;
        for (int y = 0; y < clear.Height; y++)
            for (int x = 0; x < clear.Width; x++)
            {
                int d = clear.DominantClass[y * clear.Width + x];
                if (d < 0) continue;
                int sx = (int)(region.X + (x + 0.5) * region.Width / clear.Width);
                int sy = (int)(region.Y + (y + 0.5) * region.Height / clear.Height);
                if (sx >= 0 && sy >= 0 && sx < maskSize && sy < maskSize && mask[sy * maskSize + sx] > 0) votes[d]++;
            }
        return votes;
    }
}
