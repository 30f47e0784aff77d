using System.Text;
using BatchXai.Coordinator.Datasets;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Datasets;

/// <summary>
/// A dataset laid out in a temp folder, written with plain file I/O (not through the store under
/// test), then enumerated through a <see cref="LocalFolderStore"/> over it.
/// </summary>
internal sealed class DatasetFolder : IDisposable
{
    /// <summary>The diabetic-retinopathy grades (0 none … 4 proliferative), in logit order.</summary>
    public static readonly IReadOnlyList<string> Grades = ["none", "mild", "moderate", "severe", "proliferative"];

    private readonly TempFolder _folder = new("dataset");

    public string Root => _folder.Path;

    /// <summary>Writes an "image" whose bytes name it, so a test can tell which file a key reads.</summary>
    public DatasetFolder Image(string key)
    {
        File(key, Encoding.UTF8.GetBytes("image:" + key));
        return this;
    }

    public DatasetFolder Images(params string[] keys)
    {
        foreach (var key in keys) Image(key);
        return this;
    }

    public DatasetFolder Text(string key, string text) => File(key, Encoding.UTF8.GetBytes(text));

    public DatasetFolder File(string key, byte[] bytes)
    {
        var path = _folder.Combine(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return this;
    }

    public Task<DatasetListing> EnumerateAsync(IReadOnlyList<string>? classes = null, bool expandFrames = true) =>
        new DatasetEnumerator(new LocalFolderStore(Root), classes ?? Grades, expandFrames).EnumerateAsync();

    public void Dispose() => _folder.Dispose();
}
