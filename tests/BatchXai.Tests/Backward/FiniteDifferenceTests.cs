using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward;

/// <summary>The builder's gradient against central finite differences of seed · logits.</summary>
public class FiniteDifferenceTests
{
    /// <summary>
    /// Every element of one sample. Graphs whose ops all have float64 kernels in ONNX Runtime's
    /// CPU provider are differenced in float64; "activations" (HardSigmoid is float32-only
    /// there) in float32 with a larger step.
    /// </summary>
    [Theory]
    [InlineData("elementwise", true, 1e-6, 1e-6)]
    [InlineData("shapes", true, 1e-6, 1e-6)]
    [InlineData("pools", false, 1e-2, 1e-3)]
    [InlineData("activations", false, 1e-3, 1e-3)]
    public void Gradient_matches_finite_differences_at_every_element(string name, bool inDouble, double step, double tolerance)
    {
        var (x, shape, seed) = FirstSample(name);
        var fd = new FiniteDifferences(BackwardGraphBuilder.Build(Exported(name), new BackwardOptions("input", "logits")), inDouble);

        var gradient = fd.Gradient(x, shape, seed);
        var estimate = fd.Estimate(x, shape, seed, Enumerable.Range(0, x.Length).ToArray(), step);

        var error = RelativeError(estimate, gradient);
        Assert.True(error <= tolerance, $"{name}: relative error {error:E2}");
    }

    /// <summary>
    /// Conv and ConvTranspose run in float32 only; this net is linear in x (convolutions, flatten,
    /// linear), so central differences are exact for any step and a step of 1 makes float32
    /// rounding negligible.
    /// </summary>
    [Theory]
    [InlineData("conv_variants")]
    [InlineData("stride_one_convs")]
    public void Strided_dilated_grouped_padded_convolutions_match_finite_differences(string name)
    {
        var (x, shape, seed) = FirstSample(name);
        var fd = new FiniteDifferences(BackwardGraphBuilder.Build(Exported(name), new BackwardOptions("input", "logits")), inDouble: false);

        var gradient = fd.Gradient(x, shape, seed);
        var estimate = fd.Estimate(x, shape, seed, Enumerable.Range(0, x.Length).ToArray(), 1.0);

        var error = RelativeError(estimate, gradient);
        Assert.True(error <= 1e-4, $"relative error {error:E2}");
    }

    /// <summary>
    /// The bundled 160×160 graders (Conv/ReLU/MaxPool, a ReduceMean → Gemm or a 1×1-conv → GAP
    /// head), in float32: at the 24 input pixels of largest |gradient| and 24 random ones, a
    /// small step stays inside one linear piece of the ReLU/max-pool network for almost every
    /// pixel, so differences track the gradient to float32 rounding.
    /// </summary>
    [Theory]
    [InlineData("dr_grader.onnx")]
    [InlineData("dr_fcn.onnx")]
    public void Bundled_graders_match_finite_differences_on_a_few_pixels(string file)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(BundledModel(file)));
        var built = BackwardGraphBuilder.Build(model, new BackwardOptions("input", "logits"));
        var fd = new FiniteDifferences(built, inDouble: false);
        var random = new Random(5);
        long[] shape = [1, 3, 160, 160];
        var x = Enumerable.Range(0, 3 * 160 * 160).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var seed = new double[] { 0.3, -1.0, 0.5, 2.0, -0.7 };

        var gradient = fd.Gradient(x, shape, seed);
        var largest = Enumerable.Range(0, x.Length).OrderByDescending(i => Math.Abs(gradient[i])).Take(24);
        var elements = largest.Concat(Enumerable.Range(0, 24).Select(_ => random.Next(x.Length))).Distinct().ToArray();
        var estimate = fd.Estimate(x, shape, seed, elements, 1e-2);

        var scale = gradient.Max(Math.Abs);
        var errors = elements.Select((e, k) => Math.Abs(estimate[k] - gradient[e]) / scale).OrderBy(v => v).ToArray();
        // float32 differences carry ~1e-2 (of max |gradient|) of rounding noise here — the logits
        // are large next to the per-pixel gradient — and a step may cross a ReLU or max-pool
        // switch: this is a coarse check that every pixel lands near; torch's float64 autograd
        // (TorchAutogradTests) checks the same graders to 1e-3.
        var median = errors[errors.Length / 2];
        var ninetiethPercentile = errors[errors.Length * 9 / 10];
        Assert.True(median <= 5e-3 && ninetiethPercentile <= 2e-2,
            $"{file}: median relative error {median:E2}, 90th percentile {ninetiethPercentile:E2} (worst {errors[^1]:E2})");
    }

    private static (double[] X, long[] Shape, double[] Seed) FirstSample(string name)
    {
        var record = Record(name);
        var (input, seed) = (Tensor(record, "input"), Tensor(record, "seed"));
        var shape = input.Shape.ToArray();
        shape[0] = 1;
        var sampleSize = input.Data.Length / (int)input.Shape[0];
        var classes = seed.Data.Length / (int)seed.Shape[0];
        return (input.Data[..sampleSize], shape, seed.Data[..classes]);
    }
}
