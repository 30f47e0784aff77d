using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;
using BatchXai.Worker;

namespace BatchXai.Tests.Metrics;

/// <summary>Where the worker finds an image's mask: the label file's mask column first, else the <c>masks/</c> folder.</summary>
public sealed class MaskLoaderTests : IDisposable
{
    private const int Side = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-masks-").FullName;
    private readonly PreparedImage _prepared = new(new RgbImage(Side, Side), new PixelRect(0, 0, Side, Side), Side, Side);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>A gray mask PNG with the pixels (x0..x1, y0..y1) inside, written with plain file I/O.</summary>
    private void WriteMask(string key, int x0, int y0, int x1, int y1)
    {
        var pixels = new byte[Side * Side];
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) pixels[y * Side + x] = 3; // a lesion type, as the synthetic masks hold
        var path = Path.Combine(_root, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, PngEncoder.EncodeGray(pixels, Side, Side));
    }

    private static bool[] Square(int x0, int y0, int x1, int y1) =>
        Enumerable.Range(0, Side * Side).Select(p => p % Side >= x0 && p % Side <= x1 && p / Side >= y0 && p / Side <= y1).ToArray();

    [Fact]
    public async Task A_mask_named_by_the_label_file_wins_over_the_masks_folder()
    {
        WriteMask("seg/a_lesions.png", 1, 2, 3, 4);
        WriteMask("masks/a.png", 5, 5, 6, 6);
        var store = new LocalFolderStore(_root);

        var named = await MaskLoader.LoadAsync(store, new ImageRef("img/a.png", 1, "seg/a_lesions.png"), _prepared, CancellationToken.None);
        var folder = await MaskLoader.LoadAsync(store, new ImageRef("img/a.png", 1), _prepared, CancellationToken.None);

        Assert.Equal(Square(1, 2, 3, 4), named);
        Assert.Equal(Square(5, 5, 6, 6), folder);
    }

    [Fact]
    public async Task A_named_mask_that_is_gone_by_the_time_the_worker_looks_is_no_mask()
    {
        WriteMask("masks/a.png", 5, 5, 6, 6);
        var store = new LocalFolderStore(_root);

        Assert.Null(await MaskLoader.LoadAsync(store, new ImageRef("a.png", 1, "seg/gone.png"), _prepared, CancellationToken.None));
    }
}
