using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary>Anything that is neither a label file dataset nor one folder per class: images with no labels.</summary>
public sealed class UnlabelledLayoutTests
{
    [Fact]
    public async Task A_flat_folder_is_unlabelled()
    {
        using var ds = new DatasetFolder().Images("c.tif", "a.png", "b.jpg").Text("notes.txt", "x");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Equal([new ImageRef("a.png", null), new ImageRef("b.jpg", null), new ImageRef("c.tif", null)], listing.Images);
        Assert.Empty(listing.Problems);
        Assert.Equal(3, listing.Expected);
    }

    [Fact]
    public async Task Images_at_mixed_depths_are_unlabelled_with_their_full_keys()
    {
        // One root image is enough to rule out folder per class.
        using var ds = new DatasetFolder().Images("severe/a.png", "mild/b.png", "loose.png", "2021/06/c.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Equal(["2021/06/c.png", "loose.png", "mild/b.png", "severe/a.png"], listing.Images.Select(i => i.Key));
        Assert.All(listing.Images, i => Assert.Null(i.Label));
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task Images_all_two_folders_deep_are_unlabelled()
    {
        using var ds = new DatasetFolder().Images("site_a/severe/a.png", "site_b/mild/b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Equal(["site_a/severe/a.png", "site_b/mild/b.png"], listing.Images.Select(i => i.Key));
    }

    [Fact]
    public async Task A_folder_with_no_images_lists_nothing()
    {
        using var ds = new DatasetFolder().Text("README.md", "empty").Text(".keep", "");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Empty(listing.Images);
        Assert.Equal(0, listing.Expected);
    }

    [Fact]
    public async Task A_label_file_below_the_root_is_not_a_label_file()
    {
        using var ds = new DatasetFolder().Text("sub/train.csv", "id_code,diagnosis\na,1\n").Images("a.png", "sub/b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Equal(["a.png", "sub/b.png"], listing.Images.Select(i => i.Key));
    }
}
