using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Storage;

/// <summary>Symbolic links in a dataset folder: inside the root they read; out of it (a file or a folder on the way) they fail that object.</summary>
public sealed class LocalFolderSymlinkTests : IDisposable
{
    private readonly TempFolder _folder = new("symlinks");
    private string RootDir => Path.Combine(_folder.Path, "dataset");
    private string Outside => Path.Combine(_folder.Path, "outside");

    public LocalFolderSymlinkTests()
    {
        Directory.CreateDirectory(RootDir);
        Directory.CreateDirectory(Outside);
        File.WriteAllBytes(Path.Combine(RootDir, "a.png"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(Outside, "secret.png"), [9, 9]);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_link_to_a_file_outside_the_root_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(RootDir, "link.png"), Path.Combine(Outside, "secret.png"));
        var e = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => new LocalFolderStore(RootDir).ReadAsync("link.png"));
        Assert.Contains("outside the store root", e.Message);
    }

    [Fact]
    public async Task A_relative_link_climbing_out_and_a_linked_folder_outside_are_refused()
    {
        File.CreateSymbolicLink(Path.Combine(RootDir, "up.png"), "../outside/secret.png");
        Directory.CreateSymbolicLink(Path.Combine(RootDir, "dir"), Outside);
        var store = new LocalFolderStore(RootDir);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.ReadAsync("up.png"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.ReadAsync("dir/secret.png"));
    }

    [Fact]
    public async Task Links_inside_the_root_and_a_root_that_is_itself_a_link_still_read()
    {
        File.CreateSymbolicLink(Path.Combine(RootDir, "same.png"), "a.png");
        var linkedRoot = Path.Combine(_folder.Path, "root-link");
        Directory.CreateSymbolicLink(linkedRoot, RootDir);

        Assert.Equal([1, 2, 3], await new LocalFolderStore(RootDir).ReadAsync("same.png"));
        Assert.Equal([1, 2, 3], await new LocalFolderStore(linkedRoot).ReadAsync("same.png"));
        Assert.Equal([1, 2, 3], await new LocalFolderStore(linkedRoot).ReadAsync("a.png"));
    }
}
