using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

public sealed class LabelResolverTests
{
    private readonly LabelResolver _resolver = new(DatasetFolder.Grades);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("4", 4)]
    [InlineData(" 2 ", 2)]
    [InlineData("severe", 3)]
    [InlineData("SEVERE", 3)]
    [InlineData("Proliferative", 4)]
    [InlineData("3_severe", 3)]
    [InlineData("2-moderate", 2)]
    [InlineData("1 mild", 1)]
    [InlineData("0_anything", 0)]
    public void Resolves_indices_names_and_index_prefixed_names(string label, int expected)
    {
        Assert.True(_resolver.TryResolve(label, out int index));
        Assert.Equal(expected, index);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("sever")]
    [InlineData("3severe")]
    [InlineData("severe_3")]
    [InlineData("9_severe")]
    [InlineData("1.0")]
    [InlineData("1.5")]
    public void Refuses_labels_that_name_no_class(string label)
    {
        Assert.False(_resolver.TryResolve(label, out int index));
        Assert.Equal(-1, index);
    }

    [Fact]
    public void Describe_lists_every_class_with_its_index()
    {
        Assert.Equal("0=none, 1=mild, 2=moderate, 3=severe, 4=proliferative", _resolver.Describe());
    }
}
