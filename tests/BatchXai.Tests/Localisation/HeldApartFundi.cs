using BatchXai.Imaging;
using BatchXai.Onnx.Model;
using BatchXai.Synthetic;
using BatchXai.Worker;

namespace BatchXai.Tests.Localisation;

/// <summary>One held-apart synthetic photo as the localisation tests use it: the preprocessed image, its lesion mask and grade.</summary>
public sealed record HeldApartFundus(PreparedImage Image, byte[] Mask, int MaskSize, int Grade);

/// <summary>
/// Synthetic photos with ground-truth lesion masks from a seed the bundled models never saw,
/// preprocessed for a model: the data of the localisation tests.
/// </summary>
public static class HeldApartFundi
{
    public const int Seed = 90210;

    /// <summary>Writes <paramref name="count"/> images into <paramref name="folder"/> and prepares them; returns them and the model input tensor.</summary>
    public static (List<HeldApartFundus> Images, float[] Input) Prepare(string folder, int count, ExplainableModel model)
    {
        SampleDatasetWriter.Write(folder, count, Seed, new SampleDataOptions());
        var preprocessor = new ImagePreprocessor(LoadedModel.PreprocessSpecOf(model.Manifest));
        var rows = File.ReadAllLines(Path.Combine(folder, SampleDatasetWriter.LabelsFile)).Skip(1).Select(l => l.Split(',')).ToList();
        var images = new List<HeldApartFundus>();
        var input = new float[rows.Count * model.SampleSize];
        foreach (var row in rows)
        {
            var image = preprocessor.Prepare(ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(folder, SampleDatasetWriter.ImagesFolder, row[0] + ".png"))));
            preprocessor.WriteTensor(image, input.AsSpan(images.Count * model.SampleSize, model.SampleSize));
            var mask = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(folder, SampleDatasetWriter.MasksFolder, row[0] + ".png")));
            images.Add(new HeldApartFundus(image, mask.Pixels.Where((_, i) => i % 3 == 0).ToArray(), mask.Width, int.Parse(row[1])));
        }
        return (images, input);
    }

    /// <summary>The predicted class of every image from the forward pass's logits.</summary>
    public static int[] Predictions(float[] logits, int count, int classes) =>
        Enumerable.Range(0, count).Select(i => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(i * classes, classes))).ToArray();
}
