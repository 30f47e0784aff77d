using System.Text.Json;
using BatchXai.Onnx.Model;
using BatchXai.Tests.Backward;
using Xunit.Abstractions;

namespace BatchXai.Tests.Clear;

/// <summary>
/// CLEAR's back-projection, run by ONNX Runtime on the bundled graders with every class in one
/// batched call, against torch float64 autograd with a deconvnet ReLU (Fixtures/make_clear_fixtures.py):
/// dr_fcn seeded at its class kernels' output, dr_grader at the appended Σ_k w_k^d A_k.
/// R(x|d) compared at the 100 largest-|R| elements and 300 random ones, relative to max |R|.
/// </summary>
public class ClearProjectionTorchTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

    [Theory]
    [InlineData("dr_fcn")]
    [InlineData("dr_grader")]
    public void Every_class_response_back_projects_as_torch_deconvnet_does(string grader)
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Clear", "Fixtures", grader + ".clear.json"))).RootElement;
        using var model = ExplainableModel.Load(BackwardFixtures.BundledModel(grader + ".json"));
        var projector = model.ClassResponses ?? throw new InvalidOperationException($"{grader} has no class-response projector");
        var input = DiscInput();

        // Two copies of the image: the batch of 2 × 5 classes runs in one call, rows in sample-major order.
        var projected = projector.Project(input.Concat(input).ToArray(), 2);

        var classes = reference.GetProperty("classes").EnumerateArray().ToArray();
        Assert.Equal(model.Head.Classes, classes.Length);
        int size = model.SampleSize;
        Assert.Equal(2 * classes.Length * size, projected.Length);
        double worstOverall = 0;
        for (int sample = 0; sample < 2; sample++)
            for (int d = 0; d < classes.Length; d++)
            {
                var r = projected.AsSpan((sample * classes.Length + d) * size, size).ToArray();
                var scale = classes[d].GetProperty("max_abs").GetDouble();
                Assert.True(scale > 0, $"{grader} class {d}: the reference projection is all zero");
                double maxAbs = 0;
                foreach (var v in r) maxAbs = Math.Max(maxAbs, Math.Abs(v));
                Assert.True(Math.Abs(maxAbs - scale) <= Tolerance * scale, $"{grader} class {d}: max |R| {maxAbs:G6} vs torch {scale:G6}");
                var indices = classes[d].GetProperty("indices").EnumerateArray().Select(i => i.GetInt32()).ToArray();
                var expected = classes[d].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var worst = indices.Select((pixel, k) => Math.Abs(r[pixel] - expected[k])).Max() / scale;
                Assert.True(worst <= Tolerance, $"{grader} class {d}: relative error {worst:E2}");
                worstOverall = Math.Max(worstOverall, worst);
            }
        output.WriteLine($"{grader}: worst relative error of R(x|d) against torch over {classes.Length} classes: {worstOverall:E2}");
    }

    /// <summary>As clear_input() in the script: inside the disc of radius 75 about (80, 80) 0.6 − 0.4c + 0.2·sin(0.05h + 0.03w), outside −2.</summary>
    private static float[] DiscInput()
    {
        var x = new float[3 * 160 * 160];
        for (var c = 0; c < 3; c++)
            for (var h = 0; h < 160; h++)
                for (var w = 0; w < 160; w++)
                    x[(c * 160 + h) * 160 + w] = (h - 80) * (h - 80) + (w - 80) * (w - 80) < 75 * 75
                        ? (float)(0.6 - 0.4 * c + 0.2 * Math.Sin(0.05 * h + 0.03 * w))
                        : -2f;
        return x;
    }
}
