using BatchXai.Onnx.Backward;
using static BatchXai.Tests.Backward.HandMade.HandGraph;

namespace BatchXai.Tests.Backward.HandMade;

/// <summary>
/// MaxPool's backward rule routes by the forward node's Indices output; at tied maxima, where the
/// derivative does not exist, the window's whole gradient goes to its first maximum in row-major
/// order, as PyTorch routes it (README "Gradients").
/// Checked against the closed form ∂(seed·S)/∂x = [x is the window's first maximum] · (Wᵀseed)_window.
/// </summary>
public class MaxPoolTieTests
{
    [Fact]
    public void The_first_of_tied_maxima_takes_the_window_gradient_as_in_PyTorch()
    {
        var g = new HandGraph(11, 1, 4, 5);
        var pooled = g.Node("MaxPool", [Input], Attr("kernel_shape", 2, 2), Attr("strides", 2, 2)); // [B, 1, 2, 2]; column 5 in no window
        var model = g.Logits(4, 2, pooled);
        var built = BackwardGraphBuilder.Build(model, new BackwardOptions(Input, "logits"));

        // Windows (rows 0-1 / 2-3, columns 0-1 / 2-3): a unique max, two tied, four tied, three tied.
        double[] x =
        [
            0.1, 0.9, 0.5, 0.5, 7.0,
            0.2, 0.3, 0.1, 0.2, 7.0,
            1.0, 1.0, -2, -2, 7.0,
            1.0, 1.0, -2, -3, 7.0,
        ];
        double[] seed = [0.7, -1.3];
        var gradient = new FiniteDifferences(built, inDouble: false).Gradient(x, [1, 1, 4, 5], seed);

        var weights = model.Graph.Initializer.First(t => t.Name == model.Graph.Node.Last().Input[1]).FloatData; // [2 classes, 4 windows]
        double Window(int w) => seed[0] * weights[w] + seed[1] * weights[4 + w];
        double[] expected =
        [
            0, Window(0), Window(1), 0, 0,
            0, 0, 0, 0, 0,
            Window(2), 0, Window(3), 0, 0,
            0, 0, 0, 0, 0,
        ];
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(gradient[i] - expected[i]) <= 1e-5, $"element {i}: {gradient[i]} vs {expected[i]}");
    }

    /// <summary>
    /// ReLU then MaxPool: the builder masks the pooled gradient by y &gt; 0 instead of masking at the
    /// ReLU's resolution. Windows: a unique positive max, tied positive maxima in one row and across
    /// rows beside a zero (the first in row-major order takes the gradient), all negative (ReLU
    /// leaves four tied zeros: no gradient at all), a zero max with negatives beside it. Checked
    /// against the closed form [x is the window's first maximum and x &gt; 0] · (Wᵀseed)_window, which
    /// PyTorch 1.13's autograd of max_pool2d(relu(x), 2) reproduces on this input (max |diff| 0).
    /// </summary>
    [Fact]
    public void A_relu_before_a_max_pool_is_masked_at_the_pooled_resolution_with_ties_and_zero_windows_as_in_PyTorch()
    {
        var g = new HandGraph(12, 1, 4, 6);
        var rectified = g.Node("Relu", [Input]);
        var pooled = g.Node("MaxPool", [rectified], Attr("kernel_shape", 2, 2), Attr("strides", 2, 2)); // [B, 1, 2, 3]
        var model = g.Logits(6, 2, pooled);
        var built = BackwardGraphBuilder.Build(model, new BackwardOptions(Input, "logits"));
        Assert.DoesNotContain(built.Graph.Node, n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal) && n.Input.Contains(rectified));

        double[] x =
        [
            0.1, 0.9, 0.5, 0.5, -1.0, -2.0,
            0.2, 0.3, 0.1, 0.2, -3.0, -0.5,
            0.0, -1.0, 2.0, 0.0, 0.0, 0.4,
            -2.0, -0.5, 2.0, 2.0, 0.4, -0.1,
        ];
        double[] seed = [0.7, -1.3];
        var gradient = new FiniteDifferences(built, inDouble: false).Gradient(x, [1, 1, 4, 6], seed);

        var weights = model.Graph.Initializer.First(t => t.Name == model.Graph.Node.Last().Input[1]).FloatData; // [2 classes, 6 windows]
        double Window(int w) => seed[0] * weights[w] + seed[1] * weights[6 + w];
        double[] expected =
        [
            0, Window(0), Window(1), 0, 0, 0,
            0, 0, 0, 0, 0, 0,
            0, 0, Window(4), 0, 0, Window(5),
            0, 0, 0, 0, 0, 0,
        ];
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(gradient[i] - expected[i]) <= 1e-5, $"element {i}: {gradient[i]} vs {expected[i]}");
    }
}
