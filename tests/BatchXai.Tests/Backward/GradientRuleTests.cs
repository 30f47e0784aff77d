using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward;

/// <summary>
/// The three ReLU rules on x → Gemm(W1) → ReLU → Gemm(W2) → logits, against the backward signal
/// worked out by hand: at the ReLU the incoming signal is s = W2·seed; exact passes s where the
/// forward pre-activation h = x·W1 is positive, deconvnet passes ReLU(s), guided passes ReLU(s)
/// where h is positive; then ∂x = W1·(that).
/// </summary>
public class GradientRuleTests
{
    private static readonly float[] X = [1f, -1f, 2f, 0.5f];
    // W1 [4, 3]: h = x·W1 = [2.5, −1.5, 1.5] → ReLU passes units 0 and 2.
    private static readonly float[,] W1 = { { 1f, 0f, 0.5f }, { 0f, 1f, 0f }, { 0.5f, -0.5f, 0.5f }, { 1f, 1f, -1f } };
    // W2 [3, 2] and seed [1, 2]: s = W2·seed = [−1, 3, 2] → negative at a passing unit, positive at a blocked one.
    private static readonly float[,] W2 = { { 1f, -1f }, { 1f, 1f }, { 0f, 1f } };
    private static readonly float[] Seed = [1f, 2f];

    [Theory]
    [InlineData(GradientRule.Exact, new[] { -1.0, 0.0, 2.0 })]
    [InlineData(GradientRule.Deconvnet, new[] { 0.0, 3.0, 2.0 })]
    [InlineData(GradientRule.GuidedBackprop, new[] { 0.0, 0.0, 2.0 })]
    public void Relu_rule_shapes_the_backward_signal(GradientRule rule, double[] signalAfterRelu)
    {
        var built = BackwardGraphBuilder.Build(Mlp(), new BackwardOptions("input", "logits", "hidden", rule));

        var outputs = RunFloat(built, X, [1, 4], Seed, [1, 2], BackwardGraphBuilder.InputGradOutput, BackwardGraphBuilder.TargetGradOutput);

        var expectedInputGrad = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 3).Sum(j => W1[i, j] * signalAfterRelu[j])).ToArray();
        AssertClose(expectedInputGrad, outputs[0]);
        // The target layer is the ReLU's input h, so its gradient is the signal after the rule.
        AssertClose(signalAfterRelu, outputs[1]);
    }

    [Fact]
    public void An_op_without_a_rule_is_named_with_its_node_and_the_rule()
    {
        var model = Mlp();
        var relu = model.Graph.Node.Single(n => n.OpType == "Relu");
        relu.OpType = "Softplus";

        var error = Assert.Throws<UnsupportedOpException>(() =>
            BackwardGraphBuilder.Build(model, new BackwardOptions("input", "logits", null, GradientRule.GuidedBackprop)));

        Assert.Equal("act", error.NodeName);
        Assert.Equal("Softplus", error.OpType);
        Assert.Contains("'act'", error.Message);
        Assert.Contains("GuidedBackprop", error.Message);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    private static ModelProto Mlp()
    {
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(Value("input", 4));
        graph.Output.Add(Value("logits", 2));
        graph.Initializer.Add(Matrix("w1", W1));
        graph.Initializer.Add(Matrix("w2", W2));
        graph.Node.Add(new NodeProto { OpType = "Gemm", Name = "fc1", Input = { "input", "w1" }, Output = { "hidden" } });
        graph.Node.Add(new NodeProto { OpType = "Relu", Name = "act", Input = { "hidden" }, Output = { "relu" } });
        graph.Node.Add(new NodeProto { OpType = "Gemm", Name = "fc2", Input = { "relu", "w2" }, Output = { "logits" } });
        graph.ValueInfo.Add(Value("hidden", 3));
        return new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } } };
    }

    private static ValueInfoProto Value(string name, long width) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" }, new TensorShapeProto.Types.Dimension { DimValue = width } } },
            },
        },
    };

    private static TensorProto Matrix(string name, float[,] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, Dims = { values.GetLength(0), values.GetLength(1) } };
        foreach (var v in values) tensor.FloatData.Add(v);
        return tensor;
    }
}
