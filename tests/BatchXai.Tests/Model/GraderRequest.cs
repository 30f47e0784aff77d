using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Onnx.Model;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using BatchXai.Worker;

namespace BatchXai.Tests.Model;

/// <summary>A batch of synthetic fundus images prepared for a bundled model, as the worker would hand it to the methods.</summary>
internal static class GraderRequest
{
    public static (ExplainableModel Model, ExplanationRequest Request) Prepare(string dataFolder, int images, string manifest = "dr_grader.json")
    {
        if (!Directory.Exists(Path.Combine(dataFolder, SampleDatasetWriter.ImagesFolder)))
            SampleDatasetWriter.Write(dataFolder, images, seed: 4040, new SampleDataOptions());
        var model = ExplainableModel.Load(Path.IsPathRooted(manifest) ? manifest : PointingGameTests.BundledModel(manifest));
        var preprocessor = new ImagePreprocessor(LoadedModel.PreprocessSpecOf(model.Manifest));
        var input = new float[images * model.SampleSize];
        var files = Directory.GetFiles(Path.Combine(dataFolder, SampleDatasetWriter.ImagesFolder)).Order().ToArray();
        for (int i = 0; i < images; i++)
            preprocessor.WriteTensor(preprocessor.Prepare(ImageDecoder.Decode(File.ReadAllBytes(files[i]))), input.AsSpan(i * model.SampleSize, model.SampleSize));
        var forward = model.Forward(input, images);
        int classes = model.Head.Classes;
        var predicted = Enumerable.Range(0, images)
            .Select(i => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(forward.Logits.AsSpan(i * classes, classes))).ToArray();
        var request = new ExplanationRequest(forward.Features, forward.Logits, predicted, model.Head, forward.ClassScoreMaps)
        {
            Inputs = input,
            Geometry = LoadedModel.GeometryOf(model.Manifest),
            Gradients = model.Gradients,
            Scores = model,
        };
        return (model, request);
    }
}
