using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary>Ground-truth masks in a dataset: the <c>masks/</c> folder is never images nor a class; a label file's <c>mask</c> column names masks anywhere.</summary>
public sealed class DatasetMaskTests
{
    [Fact]
    public async Task A_masks_folder_beside_class_folders_is_not_a_class()
    {
        using var ds = new DatasetFolder().Images("severe/a.png", "none/b.png", "masks/a.png", "masks/b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        Assert.Equal([new ImageRef("none/b.png", 0), new ImageRef("severe/a.png", 3)], listing.Images);
        Assert.Empty(listing.Problems); // before: two problems "folder 'masks' is not a class of the model"
        Assert.Equal(2, listing.Expected);
    }

    [Fact]
    public async Task A_masks_folder_beside_a_flat_folder_is_not_explained()
    {
        using var ds = new DatasetFolder().Images("a.png", "b.png", "masks/a.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        Assert.Equal([new ImageRef("a.png", null), new ImageRef("b.png", null)], listing.Images);
    }

    [Fact]
    public async Task A_label_file_mask_column_names_each_image_mask()
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label,mask\nimg/a.png,1,seg/a_lesions.png\nimg/b.png,2,\n")
            .Images("img/a.png", "img/b.png", "seg/a_lesions.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Equal([new ImageRef("img/a.png", 1, "seg/a_lesions.png"), new ImageRef("img/b.png", 2)], listing.Images);
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task A_mask_the_label_file_names_that_is_absent_is_a_problem_naming_line_and_path()
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label,mask\na.png,1,seg/missing.png\nb.png,0,\n")
            .Images("a.png", "b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("b.png", 0)], listing.Images);
        var problem = Assert.Single(listing.Problems);
        Assert.Equal("a.png", problem.ImageKey);
        Assert.Contains("labels.csv line 2", problem.Reason);
        Assert.Contains("seg/missing.png", problem.Reason);
        Assert.Equal(2, listing.Expected);
    }
}
