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
    /// stride_one_convs has three unit-stride convolutions; the 1×1 one is padded by 1, wider
    /// than its kernel reaches, so only it stays a ConvTranspose.
    /// </summary>
    [Fact]
    public void Unit_stride_convolutions_are_differentiated_with_a_flipped_kernel_conv()
    {
        var built = BackwardGraphBuilder.Build(Exported("stride_one_convs"), new BackwardOptions("input", "logits"));
        var backward = built.Graph.Node.Where(n => n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, backward.Count(n => n.OpType == "Conv"));
        Assert.Single(backward, n => n.OpType == "ConvTranspose");
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
