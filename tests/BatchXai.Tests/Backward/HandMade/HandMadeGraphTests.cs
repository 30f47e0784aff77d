using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward.HandMade;

/// <summary>The builder's exact gradient of seed · logits on the hand-made graphs against central finite differences at every input element.</summary>
public class HandMadeGraphTests
{
    private static readonly double[] Seed = [0.7, -1.2, 0.4];

    /// <summary>Smooth but for the one-sided Clips and LeakyReLU (a 1e-6 step crosses them with negligible odds): float64, tight.</summary>
    [Theory]
    [InlineData("arithmetic")]
    [InlineData("linear")]
    [InlineData("reshaping")]
    public void Float64_graphs_match_central_differences(string name)
    {
        var model = Graph(name);
        var shape = SampleShape(model);
        var random = new Random(name.Length);
        var x = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextDouble() * 3 - 1.5).ToArray();

        var error = Compare(model, inDouble: true, x, shape, step: 1e-6);

        Assert.True(error <= 1e-6, $"{name}: relative error {error:E2}");
    }

    /// <summary>
    /// Conv, ConvTranspose, pools and BatchNormalization run in float32 only on ONNX Runtime's CPU
    /// provider. The graph is piecewise linear and x is a permutation of grid points 1/16 apart (none
    /// zero), so a step of 0.03 stays on one linear piece and the differences are exact but for float32
    /// rounding of the logits.
    /// </summary>
    [Fact]
    public void Convolutions_and_pools_with_strides_dilations_groups_and_padding_match_central_differences()
    {
        var model = Graph("convolutions_and_pools");
        var shape = SampleShape(model);
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var random = new Random(7);
        var x = Enumerable.Range(0, count).OrderBy(_ => random.Next()).Select(k => (k - count / 2 + 0.5) / 16).ToArray();

        var error = Compare(model, inDouble: false, x, shape, step: 0.03);

        Assert.True(error <= 1e-3, $"relative error {error:E2}");
    }

    /// <summary>Every op the builder supports is in a graph checked against finite differences (here or in <see cref="FiniteDifferenceTests"/>).</summary>
    [Fact]
    public void Every_supported_op_is_checked_against_finite_differences()
    {
        var hand = new[] { "arithmetic", "linear", "reshaping", "convolutions_and_pools" }.SelectMany(n => Graph(n).Graph.Node);
        var exported = new[] { "elementwise", "shapes", "pools", "activations", "conv_variants", "stride_one_convs" }
            .SelectMany(n => Exported(n).Graph.Node);
        var checkedOps = hand.Concat(exported).Select(n => n.OpType).ToHashSet();

        Assert.Empty(BackwardGraphBuilder.SupportedOps.Where(op => !checkedOps.Contains(op)).Order());
    }

    private static double Compare(ModelProto model, bool inDouble, double[] x, long[] shape, double step)
    {
        var fd = new FiniteDifferences(BackwardGraphBuilder.Build(model, new BackwardOptions("input", "logits")), inDouble);
        var gradient = fd.Gradient(x, shape, Seed);
        var estimate = fd.Estimate(x, shape, Seed, Enumerable.Range(0, x.Length).ToArray(), step);
        return RelativeError(estimate, gradient);
    }

    private static ModelProto Graph(string name) => name switch
    {
        "arithmetic" => HandMadeGraphs.Arithmetic(),
        "linear" => HandMadeGraphs.Linear(),
        "reshaping" => HandMadeGraphs.Reshaping(),
        "convolutions_and_pools" => HandMadeGraphs.ConvolutionsAndPools(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>[1, …] from the declared input shape.</summary>
    private static long[] SampleShape(ModelProto model) =>
        [1, .. model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
}
