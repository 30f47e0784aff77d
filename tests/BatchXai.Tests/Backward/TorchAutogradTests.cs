using BatchXai.Onnx.Backward;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward;

/// <summary>
/// The built backward graph, run on ONNX Runtime in float32, against torch's float64 autograd
/// gradients of sum(seed · logits) for the same exported weights, input and seed.
/// </summary>
public class TorchAutogradTests
{
    private const double Tolerance = 1e-3;

    [Theory]
    [MemberData(nameof(BackwardFixtures.All), MemberType = typeof(BackwardFixtures))]
    public void Input_gradient_matches_torch(string name)
    {
        var record = Record(name);
        var (input, seed) = (Tensor(record, "input"), Tensor(record, "seed"));
        var built = BackwardGraphBuilder.Build(Exported(name), new BackwardOptions("input", "logits"));

        var outputs = RunFloat(built, input.Floats, input.Shape, seed.Floats, seed.Shape, "logits", BackwardGraphBuilder.InputGradOutput);

        Assert.True(RelativeError(Tensor(record, "logits").Data, outputs[0]) < 1e-4, "the forward pass itself differs from torch");
        var error = RelativeError(Tensor(record, "input_grad").Data, outputs[1]);
        Assert.True(error <= Tolerance, $"{name}: input gradient relative error {error:E2}");
    }

    [Fact]
    public void Target_layer_activations_and_gradient_match_torch_on_a_resnet_block()
    {
        var record = Record("tiny_resnet");
        var target = record.GetProperty("target_name").GetString()!;
        var (input, seed) = (Tensor(record, "input"), Tensor(record, "seed"));
        var built = BackwardGraphBuilder.Build(Exported("tiny_resnet"), new BackwardOptions("input", "logits", target));

        var outputs = RunFloat(built, input.Floats, input.Shape, seed.Floats, seed.Shape,
            target, BackwardGraphBuilder.TargetGradOutput, BackwardGraphBuilder.InputGradOutput);

        Assert.True(RelativeError(Tensor(record, "target").Data, outputs[0]) < 1e-4);
        var targetError = RelativeError(Tensor(record, "target_grad").Data, outputs[1]);
        Assert.True(targetError <= Tolerance, $"target gradient relative error {targetError:E2}");
        var inputError = RelativeError(Tensor(record, "input_grad").Data, outputs[2]);
        Assert.True(inputError <= Tolerance, $"input gradient relative error {inputError:E2}");
    }

    /// <summary>
    /// The bundled graders, interpreted node by node in torch float64 with their ONNX weights by the
    /// fixture script, on an input both sides compute from a formula: torch's gradient at the 100
    /// pixels of largest |gradient| and 300 random ones.
    /// </summary>
    [Theory]
    [InlineData("dr_grader")]
    [InlineData("dr_fcn")]
    public void Bundled_grader_input_gradient_matches_torch(string name)
    {
        var reference = Record(name + ".torch");
        var model = Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(BundledModel(name + ".onnx")));
        var built = BackwardGraphBuilder.Build(model, new BackwardOptions("input", "logits"));
        var seed = reference.GetProperty("seed").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

        var outputs = RunFloat(built, GraderInput(), [1, 3, 160, 160], seed, [1, seed.Length], BackwardGraphBuilder.InputGradOutput);

        var scale = reference.GetProperty("max_abs_grad").GetDouble();
        Assert.Equal(scale, outputs[0].Max(Math.Abs), scale * Tolerance);
        var indices = reference.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var expected = reference.GetProperty("grad").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var worst = indices.Select((pixel, k) => Math.Abs(outputs[0][pixel] - expected[k])).Max() / scale;
        Assert.True(worst <= Tolerance, $"{name}: relative error {worst:E2}");
    }

    /// <summary>x[c, h, w] = 1.5·sin(0.37c + 0.11h + 0.07w) + 0.5·cos(0.05·h·w / 160), as grader_input() in the script.</summary>
    internal static float[] GraderInput()
    {
        var x = new float[3 * 160 * 160];
        for (var c = 0; c < 3; c++)
            for (var h = 0; h < 160; h++)
                for (var w = 0; w < 160; w++)
                    x[(c * 160 + h) * 160 + w] = (float)(1.5 * Math.Sin(0.37 * c + 0.11 * h + 0.07 * w) + 0.5 * Math.Cos(0.05 * h * w / 160.0));
        return x;
    }
}
