using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using static BatchXai.Tests.Backward.BackwardFixtures;
using static BatchXai.Tests.Backward.HandMade.HandGraph;

namespace BatchXai.Tests.Backward.HandMade;

/// <summary>
/// Strided 2-D convolutions are differentiated by a ConvTranspose with the leading pads and
/// FitSpatial (crop or zero-extend to X's size). Checked against the transposed convolution summed
/// directly in float64: ∂x[c, i, j] = Σ g[m, o, p] · W[m, c, k, l] over s·o + k − pad_top = i and
/// s·p + l − pad_left = j, with g = Wheadᵀ · seed — odd and even sizes (rows the forward conv
/// drops), pads 0/1/3 (past the kernel's reach), kernels 1/3/7, rectangular and even kernels,
/// asymmetric pads, stride 3, with H and W static and symbolic.
/// </summary>
public class StridedConvGradientTests
{
    [Theory]
    [InlineData(7, 7, 2, 3, 3, 3, 3, 16, 16)] // ResNet stem
    [InlineData(7, 7, 2, 3, 3, 3, 3, 15, 13)] // odd sizes
    [InlineData(3, 3, 2, 1, 1, 1, 1, 14, 14)] // ResNet 3×3 stride 2
    [InlineData(3, 3, 2, 1, 1, 1, 1, 13, 11)]
    [InlineData(3, 3, 2, 0, 0, 0, 0, 12, 9)]
    [InlineData(3, 3, 2, 3, 3, 3, 3, 9, 10)] // pads past the kernel's reach
    [InlineData(1, 1, 2, 0, 0, 0, 0, 14, 14)] // ResNet downsample
    [InlineData(1, 1, 2, 0, 0, 0, 0, 13, 11)]
    [InlineData(1, 1, 2, 1, 1, 1, 1, 9, 8)] // padded 1×1: only odd positions get gradient
    [InlineData(3, 2, 2, 1, 0, 0, 1, 11, 10)] // rectangular kernel, asymmetric pads
    [InlineData(4, 4, 2, 1, 2, 2, 1, 10, 11)] // even kernel
    [InlineData(5, 3, 3, 2, 1, 0, 2, 13, 14)] // stride 3
    public void Strided_conv_input_gradient_equals_the_transposed_convolution(
        int kh, int kw, int stride, int top, int left, int bottom, int right, int height, int width)
    {
        foreach (var dynamicSize in new[] { false, true })
        {
            const int inChannels = 3, outChannels = 5, classes = 2;
            var g = new HandGraph(kh * 100 + kw * 10 + height, inChannels, height, width);
            var weight = g.Weight(0.5, outChannels, inChannels, kh, kw);
            var conv = g.Node("Conv", [Input, weight], Attr("kernel_shape", kh, kw), Attr("strides", stride, stride), Attr("pads", top, left, bottom, right));
            var (rows, columns) = ((height + top + bottom - kh) / stride + 1, (width + left + right - kw) / stride + 1);
            var model = g.Logits(outChannels * rows * columns, classes, conv);
            if (dynamicSize) // H and W symbolic: FitSpatial reads X's size at run time
                foreach (var d in model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(2)) d.DimParam = $"side{d.DimValue}";
            var built = BackwardGraphBuilder.Build(model, new BackwardOptions(Input, "logits"));
            Assert.Contains(built.Graph.Node, n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal) && n.OpType == "ConvTranspose");

            var random = new Random(height * width);
            var x = Enumerable.Range(0, inChannels * height * width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] seed = [0.7f, -1.3f];
            var actual = RunFloat(built, x, [1, inChannels, height, width], seed, [1, classes], BackwardGraphBuilder.InputGradOutput)[0];

            var w = Floats(model, weight);
            var head = Floats(model, model.Graph.Node.Last().Input[1]);
            var expected = new double[inChannels * height * width];
            for (var m = 0; m < outChannels; m++)
                for (var o = 0; o < rows; o++)
                    for (var p = 0; p < columns; p++)
                    {
                        var feature = (m * rows + o) * columns + p;
                        var grad = seed[0] * (double)head[feature] + seed[1] * (double)head[outChannels * rows * columns + feature];
                        for (var c = 0; c < inChannels; c++)
                            for (var k = 0; k < kh; k++)
                                for (var l = 0; l < kw; l++)
                                {
                                    var (i, j) = (stride * o + k - top, stride * p + l - left);
                                    if (i >= 0 && i < height && j >= 0 && j < width)
                                        expected[(c * height + i) * width + j] += grad * w[((m * inChannels + c) * kh + k) * kw + l];
                                }
                    }
            var error = RelativeError(expected, actual);
            Assert.True(error <= 1e-5, $"{(dynamicSize ? "symbolic" : "static")} size: relative error {error:E2}");
        }
    }

    private static IReadOnlyList<float> Floats(ModelProto model, string name) => model.Graph.Initializer.First(t => t.Name == name).FloatData;
}
