using BatchXai.Core.Methods;
using BatchXai.Onnx.Model;
using BatchXai.Imaging;
using BatchXai.Tests.Imaging;
using BatchXai.Worker;
using Xunit.Abstractions;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// <c>--ig-tolerance</c> on a torchvision MobileNetV3-Small export (hard-swish and hard-sigmoid
/// activations, seeded random weights with calibrated batch-norm statistics, exported at test time by
/// export_mobilenet_v3_small.py): each image's refined path meets 1% of its score gap or reaches the
/// cap, and the recorded delta agrees with the score gap measured by plain forward passes at the two ends.
/// </summary>
public sealed class IgToleranceMobileNetTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batchxai-mobilenet-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Refined_ig_on_mobilenet_v3_reaches_one_percent_completeness_or_its_cap()
    {
        var script = Path.Combine(Path.GetDirectoryName(Localisation.PointingGameTests.BundledModel("x"))!, "..", "tests", "BatchXai.Tests", "Metrics", "export_mobilenet_v3_small.py");
        output.WriteLine(PythonReference.Run(File.ReadAllText(script), _folder));
        using var model = ExplainableModel.Load(Path.Combine(_folder, "model.json"), preparedModels: Onnx.Backward.PreparedModelCache.Disabled);
        var x = NpyFile.Read(File.ReadAllBytes(Path.Combine(_folder, "input.npy")));
        int images = x.Shape[0], size = model.SampleSize, classes = model.Head.Classes;
        var input = x.Data.Select(v => (float)v).ToArray();
        var forward = model.Forward(input, images);
        var predicted = Enumerable.Range(0, images).Select(i => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(forward.Logits.AsSpan(i * classes, classes))).ToArray();
        var geometry = LoadedModel.GeometryOf(model.Manifest);
        var request = new ExplanationRequest(forward.Features, forward.Logits, predicted, model.Head, forward.ClassScoreMaps)
        {
            Inputs = input, Geometry = geometry, Gradients = model.Gradients, Scores = model,
        };
        const double tolerance = 0.01;
        var refined = IntegratedGradientsMethod.From(new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "16", ["ig-tolerance"] = "0.01" })).Explain(request);
        var fixed32 = new IntegratedGradientsMethod(32).Explain(request);

        var ends = new float[2 * size];
        var logits = new float[2 * classes];
        for (int b = 0; b < images; b++)
        {
            // S_c at the black baseline and at x, by plain forward passes.
            geometry.BlackImage().CopyTo(ends, 0);
            input.AsSpan(b * size, size).CopyTo(ends.AsSpan(size));
            model.Score(ends, 2, logits);
            double gap = (double)logits[classes + predicted[b]] - logits[predicted[b]];
            var map = refined[b];
            double sum = map.Values.Sum(v => (double)v);
            output.WriteLine($"image {b}: gap {gap:F4}; fixed 32 steps: delta {Math.Abs(fixed32[b].CompletenessDelta!.Value / gap):P2}; " +
                $"refined: {map.PathSteps} steps, delta {Math.Abs(map.CompletenessDelta!.Value / gap):P3}");
            Assert.Equal(sum - gap, map.CompletenessDelta!.Value, Math.Abs(gap) * 1e-3);
            Assert.True(Math.Abs(map.CompletenessDelta!.Value) <= tolerance * Math.Abs(gap) || map.PathSteps * 2 > IntegratedGradientsMethod.DefaultMaxSteps,
                $"image {b}: {map.PathSteps} steps left delta {map.CompletenessDelta} of gap {gap}");
        }
    }
}
