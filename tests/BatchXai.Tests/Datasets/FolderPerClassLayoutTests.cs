using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary><c>&lt;class&gt;/&lt;image&gt;</c> datasets: the folder names the label, as a name, an index or both.</summary>
public sealed class FolderPerClassLayoutTests
{
    [Fact]
    public async Task Folder_names_that_are_class_names_give_the_class_index()
    {
        using var ds = new DatasetFolder().Images("none/a.png", "severe/b.jpg", "Proliferative/c.png", "mild/d.jpeg");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        // Ordinal key order: uppercase 'P' sorts before lowercase letters.
        Assert.Equal(
            [new ImageRef("Proliferative/c.png", 4), new ImageRef("mild/d.jpeg", 1), new ImageRef("none/a.png", 0), new ImageRef("severe/b.jpg", 3)],
            listing.Images);
        Assert.Empty(listing.Problems);
        Assert.Equal(4, listing.Expected);
    }

    [Fact]
    public async Task Folder_names_that_are_indices_give_that_index()
    {
        using var ds = new DatasetFolder();
        for (int grade = 0; grade < 5; grade++) ds.Images($"{grade}/img{grade}a.png", $"{grade}/img{grade}b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        Assert.Equal(10, listing.Images.Count);
        Assert.All(listing.Images, i => Assert.Equal(int.Parse(i.Key[..1]), i.Label));
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task Folder_names_with_a_leading_index_and_a_name_give_the_index()
    {
        using var ds = new DatasetFolder().Images("0_none/a.png", "2-moderate/b.png", "3_severe/c.png", "4 proliferative/d.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        Assert.Equal(
            [new ImageRef("0_none/a.png", 0), new ImageRef("2-moderate/b.png", 2), new ImageRef("3_severe/c.png", 3), new ImageRef("4 proliferative/d.png", 4)],
            listing.Images);
    }

    [Fact]
    public async Task A_folder_that_is_no_class_is_a_problem_per_image_naming_the_folder_and_the_classes()
    {
        using var ds = new DatasetFolder().Images("severe/a.png", "ungradable/b.png", "ungradable/c.png", "7/d.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        Assert.Equal([new ImageRef("severe/a.png", 3)], listing.Images);
        Assert.Equal(["7/d.png", "ungradable/b.png", "ungradable/c.png"], listing.Problems.Select(p => p.ImageKey));
        Assert.Contains("'7'", listing.Problems[0].Reason);
        Assert.Contains("'ungradable'", listing.Problems[1].Reason);
        foreach (var grade in DatasetFolder.Grades) Assert.Contains(grade, listing.Problems[1].Reason);
        Assert.Equal(4, listing.Expected);
    }

    [Fact]
    public async Task Non_image_files_and_dotfiles_are_ignored()
    {
        using var ds = new DatasetFolder()
            .Images("mild/a.png", "severe/b.jpg")
            .Text("README.md", "about")
            .Text("notes.txt", "x")
            .Text("meta.json", "{}")
            .Text("split.csv", "key,split\n")
            .Text("severe/annotations.json", "{}")
            .Text("mild/list.TXT", "a.png")
            .Text(".DS_Store", "mac")
            .Text("mild/.hidden.png", "not an image a user meant")
            .Text(".cache/thumb.png", "thumbnail");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.FolderPerClass, listing.Layout);
        Assert.Equal([new ImageRef("mild/a.png", 1), new ImageRef("severe/b.jpg", 3)], listing.Images);
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task Keys_are_slash_separated_and_read_back_the_file()
    {
        using var ds = new DatasetFolder().Images("moderate/x.png", "none/y.png");

        var listing = await ds.EnumerateAsync();

        var store = new BatchXai.Storage.Objects.LocalFolderStore(ds.Root);
        foreach (var image in listing.Images)
        {
            Assert.Equal(1, image.Key.Count(c => c == '/'));
            Assert.DoesNotContain('\\', image.Key);
            Assert.Equal("image:" + image.Key, System.Text.Encoding.UTF8.GetString(await store.ReadAsync(image.Key)));
        }
    }
}
