using BatchXai.Onnx.Backward;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward;

/// <summary>
/// Which form the Conv input gradient takes (the values are checked against torch and finite
/// differences in <see cref="TorchAutogradTests"/> and <see cref="FiniteDifferenceTests"/>).
/// </summary>
public class ConvGradientFormTests
{
    /// <summary>
    /// The grader's convolutions are unit-stride 3×3: those reading 8 or more channels are
    /// differentiated with a flipped-kernel Conv, the first (3 channels) with a ConvTranspose
    /// padded on both sides, which needs no cropping or padding after it.
    /// </summary>
    [Fact]
    public void Unit_stride_convolutions_are_differentiated_with_a_flipped_kernel_conv_unless_they_read_few_channels()
    {
        var model = Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(BundledModel("dr_grader.onnx")));
        var built = BackwardGraphBuilder.Build(model, new BackwardOptions("input", "logits"));
        var backward = built.Graph.Node.Where(n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, backward.Count(n => n.OpType == "Conv"));
        var transposed = Assert.Single(backward, n => n.OpType == "ConvTranspose");
        Assert.Equal(BackwardGraphBuilder.InputGradOutput, Assert.Single(built.Graph.Node, n => n.Input.Contains(transposed.Output[0])).Output[0]);
    }

    /// <summary>
    /// stride_one_convs' three unit-stride convolutions read 3, 5 and 4 channels: all take the
    /// ConvTranspose form (dilation, an asymmetric and an even kernel; the values are checked in
    /// <see cref="TorchAutogradTests"/>).
    /// </summary>
    [Fact]
    public void Unit_stride_convolutions_reading_few_channels_keep_conv_transpose()
    {
        var built = BackwardGraphBuilder.Build(Exported("stride_one_convs"), new BackwardOptions("input", "logits"));
        var backward = built.Graph.Node.Where(n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal)).ToList();

        Assert.DoesNotContain(backward, n => n.OpType == "Conv");
        Assert.Equal(3, backward.Count(n => n.OpType == "ConvTranspose"));
    }

    /// <summary>conv_variants has only strided or grouped convolutions: all keep ConvTranspose.</summary>
    [Fact]
    public void Strided_and_grouped_convolutions_keep_conv_transpose()
    {
        var built = BackwardGraphBuilder.Build(Exported("conv_variants"), new BackwardOptions("input", "logits"));
        var backward = built.Graph.Node.Where(n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal)).ToList();

        Assert.DoesNotContain(backward, n => n.OpType == "Conv");
        Assert.Equal(3, backward.Count(n => n.OpType == "ConvTranspose"));
    }
}
