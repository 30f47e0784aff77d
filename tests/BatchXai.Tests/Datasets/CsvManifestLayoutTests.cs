using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary>The three label files recognised at a dataset's root (APTOS, EyePACS, generic).</summary>
public sealed class CsvManifestLayoutTests
{
    [Fact]
    public async Task Aptos_ids_without_extension_resolve_to_png_and_jpg_in_train_images()
    {
        using var ds = new DatasetFolder()
            .Text("train.csv", "id_code,diagnosis\n000c1434d8d7,2\n001639a390f0,4\n0024cdab0c1e,1\n")
            .Images("train_images/000c1434d8d7.png", "train_images/001639a390f0.png", "train_images/0024cdab0c1e.jpg")
            // Not listed in train.csv: APTOS ships its unlabelled test split beside the training one.
            .Images("test_images/0005cfc8afb6.png")
            .Text("sample_submission.csv", "id_code,diagnosis\n0005cfc8afb6,0\n");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Contains("APTOS", listing.Description);
        Assert.Equal(
            [new ImageRef("train_images/000c1434d8d7.png", 2), new ImageRef("train_images/001639a390f0.png", 4), new ImageRef("train_images/0024cdab0c1e.jpg", 1)],
            listing.Images);
        Assert.Empty(listing.Problems);
        Assert.Equal(3, listing.Expected);
    }

    [Fact]
    public async Task Aptos_prefers_train_images_over_a_same_named_file_elsewhere()
    {
        using var ds = new DatasetFolder()
            .Text("train.csv", "id_code,diagnosis\nabc,3\n")
            .Images("aaa_copies/abc.png", "train_images/abc.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("train_images/abc.png", 3)], listing.Images);
    }

    [Fact]
    public async Task EyePacs_image_names_resolve_to_jpeg_under_train()
    {
        using var ds = new DatasetFolder()
            .Text("trainLabels.csv", "image,level\n10_left,0\n10_right,0\n13_left,3\n15_right,4\n")
            .Images("train/10_left.jpeg", "train/10_right.jpeg", "train/13_left.jpeg", "train/15_right.jpeg")
            .Text("train/readme.txt", "EyePACS");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Contains("EyePACS", listing.Description);
        Assert.Equal(
            [new ImageRef("train/10_left.jpeg", 0), new ImageRef("train/10_right.jpeg", 0), new ImageRef("train/13_left.jpeg", 3), new ImageRef("train/15_right.jpeg", 4)],
            listing.Images);
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task Generic_label_file_takes_path_keys_and_class_names()
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label\nclinic_a/2021/p001.png,severe\nclinic_b/p002.jpg,Mild\np003.tif,PROLIFERATIVE\nclinic_a/2021/p004,none\n")
            .Images("clinic_a/2021/p001.png", "clinic_b/p002.jpg", "p003.tif", "clinic_a/2021/p004.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Equal(
            [new ImageRef("clinic_a/2021/p001.png", 3), new ImageRef("clinic_b/p002.jpg", 1), new ImageRef("p003.tif", 4), new ImageRef("clinic_a/2021/p004.png", 0)],
            listing.Images);
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task A_label_file_wins_over_a_folder_per_class_shape()
    {
        // Every image is one folder deep, but the label file says otherwise: the file is the truth.
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label\nsevere/a.png,mild\n")
            .Images("severe/a.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Equal([new ImageRef("severe/a.png", 1)], listing.Images);
    }

    [Fact]
    public async Task A_row_whose_image_is_absent_is_a_problem_naming_the_file_and_line()
    {
        using var ds = new DatasetFolder()
            .Text("train.csv", "id_code,diagnosis\nhere1,0\nmissing42,2\nhere2,1\n")
            .Images("train_images/here1.png", "train_images/here2.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("train_images/here1.png", 0), new ImageRef("train_images/here2.png", 1)], listing.Images);
        var problem = Assert.Single(listing.Problems);
        Assert.Contains("missing42", problem.ImageKey);
        Assert.Contains("train.csv", problem.Reason);
        Assert.Contains("line 3", problem.Reason);
        Assert.Contains("missing42", problem.Reason);
        Assert.Equal(3, listing.Expected);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("")]
    public async Task A_label_that_is_no_class_is_a_problem_naming_the_label_and_listing_the_classes(string label)
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", $"key,label\ngood.png,moderate\nbad.png,{label}\n")
            .Images("good.png", "bad.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("good.png", 2)], listing.Images);
        var problem = Assert.Single(listing.Problems);
        Assert.Equal("bad.png", problem.ImageKey);
        Assert.Contains($"'{label}'", problem.Reason);
        Assert.Contains("line 3", problem.Reason);
        foreach (var grade in DatasetFolder.Grades) Assert.Contains(grade, problem.Reason);
        Assert.Equal(2, listing.Expected);
    }

    [Fact]
    public async Task A_duplicated_row_is_a_problem_and_the_image_is_listed_once()
    {
        using var ds = new DatasetFolder()
            .Text("trainLabels.csv", "image,level\n10_left,1\n10_right,2\n10_left,1\n")
            .Images("train/10_left.jpeg", "train/10_right.jpeg");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("train/10_left.jpeg", 1), new ImageRef("train/10_right.jpeg", 2)], listing.Images);
        var problem = Assert.Single(listing.Problems);
        Assert.Contains("10_left", problem.Reason);
        Assert.Contains("line 4", problem.Reason);
        Assert.Equal(3, listing.Expected);
    }

    [Fact]
    public async Task Two_rows_naming_one_image_differently_list_it_once()
    {
        // "abc" and "train_images/abc.png" are the same file: listing it twice would expect two
        // results for one image, and a run that can never complete.
        using var ds = new DatasetFolder()
            .Text("train.csv", "id_code,diagnosis\nabc,1\ntrain_images/abc.png,1\nabc.png,2\n")
            .Images("train_images/abc.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("train_images/abc.png", 1)], listing.Images);
        Assert.Equal(2, listing.Problems.Count);
        Assert.All(listing.Problems, p => Assert.Contains("train_images/abc.png", p.Reason));
        Assert.Equal(listing.Problems.Count, listing.Problems.Select(p => p.ImageKey).Distinct().Count());
        // Problem keys become failure rows: none may collide with a listed image's key.
        Assert.DoesNotContain(listing.Problems, p => listing.Images.Any(i => i.Key == p.ImageKey));
    }

    [Fact]
    public async Task Problem_keys_are_unique_and_never_an_image_key()
    {
        // Problems are stored as failure rows keyed by (run, image key), and a listed image's
        // later result deletes a failure row with its key: both would break the run's counts.
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label\na.png,1\na.png,1\na.png,2\ngone.png,1\ngone.png,1\nb.png,9\nb,9\n")
            .Images("a.png", "b.png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal([new ImageRef("a.png", 1)], listing.Images);
        var keys = listing.Problems.Select(p => p.ImageKey).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.DoesNotContain("a.png", keys);
        Assert.Equal(6, listing.Problems.Count);
        Assert.Equal(7, listing.Expected);
    }

    [Fact]
    public async Task Bom_crlf_quoted_fields_and_blank_lines_are_read()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var text = "\"key\",\"label\"\r\n\r\n\"scans, 2021/a.png\",\"severe\"\r\n  \r\nb.png , 2 \r\n\"c \"\"quoted\"\".png\",mild\r\n\r\n";
        using var ds = new DatasetFolder()
            .File("labels.csv", [.. bom, .. System.Text.Encoding.UTF8.GetBytes(text)])
            .Images("scans, 2021/a.png", "b.png", "c \"quoted\".png");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Empty(listing.Problems);
        Assert.Equal(
            [new ImageRef("scans, 2021/a.png", 3), new ImageRef("b.png", 2), new ImageRef("c \"quoted\".png", 1)],
            listing.Images);
    }

    [Theory]
    [InlineData("train.csv", "id,grade\nabc,1\n", "id_code", "diagnosis")]
    [InlineData("trainLabels.csv", "image;level\n10_left;1\n", "image", "level")]
    [InlineData("labels.csv", "", "key", "label")]
    public async Task A_bad_header_is_an_error_naming_the_file_and_the_columns_it_needs(string file, string text, string idColumn, string labelColumn)
    {
        using var ds = new DatasetFolder().Text(file, text).Images("abc.png");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ds.EnumerateAsync());

        Assert.Contains(file, e.Message);
        Assert.Contains(idColumn, e.Message);
        Assert.Contains(labelColumn, e.Message);
    }

    [Fact]
    public async Task Keys_are_slash_separated_paths_relative_to_the_root_that_read_back_the_listed_file()
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,label\na/b/c.png,1\nd.png,2\n")
            .Images("a/b/c.png", "d.png");

        var listing = await ds.EnumerateAsync();

        var store = new BatchXai.Storage.Objects.LocalFolderStore(ds.Root);
        foreach (var image in listing.Images)
        {
            Assert.DoesNotContain('\\', image.Key);
            Assert.False(Path.IsPathRooted(image.Key), image.Key);
            Assert.Equal("image:" + image.Key, System.Text.Encoding.UTF8.GetString(await store.ReadAsync(image.Key)));
        }
    }
}
