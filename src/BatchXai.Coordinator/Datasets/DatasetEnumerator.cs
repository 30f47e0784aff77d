using BatchXai.Contracts;
using BatchXai.Storage.Objects;

namespace BatchXai.Coordinator.Datasets;

/// <summary>
/// Lists a dataset in object storage and resolves labels. Layout detection, in order: a known
/// label file at the root (CSV manifest), images in first-level sub-folders (folder per class),
/// anything else (unlabelled). Entries that cannot be explained (a label row without its image,
/// a label that is no class of the model) become <see cref="DatasetProblem"/>s, not errors.
/// </summary>
public sealed class DatasetEnumerator(IObjectStore store, IReadOnlyList<string> classNames)
{
    private static readonly HashSet<string> NonImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".csv", ".txt", ".json", ".md", ".npy", ".db", ".db-wal", ".db-shm", ".sqlite", ".xml", ".yaml", ".yml",
    };

    private readonly LabelResolver _labels = new(classNames);

    public async Task<DatasetListing> EnumerateAsync(CancellationToken ct = default)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync("", ct)) keys.Add(key);

        foreach (var format in LabelFileFormat.Known)
        {
            if (keys.Contains(format.FileName, StringComparer.Ordinal))
                return await FromLabelFileAsync(format, keys, ct);
        }

        var images = keys.Where(IsCandidateImage).ToList();
        if (images.Count > 0 && images.All(k => k.Count(c => c == '/') == 1))
            return FromClassFolders(images);
        return new DatasetListing(DatasetLayout.Unlabelled, "unlabelled folder", images.Select(k => new ImageRef(k, null)).ToList(), []);
    }

    private static bool IsCandidateImage(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        return !name.StartsWith('.') && !NonImageExtensions.Contains(Path.GetExtension(name));
    }

    private DatasetListing FromClassFolders(List<string> images)
    {
        var refs = new List<ImageRef>();
        var problems = new List<DatasetProblem>();
        foreach (var key in images)
        {
            var folder = key[..key.IndexOf('/')];
            if (_labels.TryResolve(folder, out int label)) refs.Add(new ImageRef(key, label));
            else problems.Add(new DatasetProblem(key, $"folder '{folder}' is not a class of the model ({_labels.Describe()})"));
        }
        return new DatasetListing(DatasetLayout.FolderPerClass, "folder per class", refs, problems);
    }

    private async Task<DatasetListing> FromLabelFileAsync(LabelFileFormat format, List<string> keys, CancellationToken ct)
    {
        var text = System.Text.Encoding.UTF8.GetString(await store.ReadAsync(format.FileName, ct));
        var rows = LabelFileFormat.Parse(format, text);

        // Rows name images by id or file name, with or without folder and extension.
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Where(IsCandidateImage).Where(k => k != format.FileName))
        {
            byStem.TryAdd(StripExtension(key), key);
            byStem.TryAdd(StripExtension(key[(key.LastIndexOf('/') + 1)..]), key);
        }
        var preferred = format.ImageFolder is null ? null : new HashSet<string>(keys.Where(k => k.StartsWith(format.ImageFolder + "/", StringComparison.Ordinal)));

        var refs = new List<ImageRef>();
        var problems = new List<DatasetProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, id, labelText) in rows)
        {
            if (!seen.Add(id))
            {
                problems.Add(new DatasetProblem(id + "#line" + line, $"{format.FileName} line {line}: image '{id}' is listed twice"));
                continue;
            }
            string? key = Resolve(id, keys, byStem, preferred, format);
            if (key is null)
            {
                problems.Add(new DatasetProblem(id, $"{format.FileName} line {line} names image '{id}', which is not in the dataset"));
                continue;
            }
            if (!_labels.TryResolve(labelText, out int label))
            {
                problems.Add(new DatasetProblem(key, $"{format.FileName} line {line}: label '{labelText}' is not a class of the model ({_labels.Describe()})"));
                continue;
            }
            refs.Add(new ImageRef(key, label));
        }
        return new DatasetListing(DatasetLayout.CsvManifest, format.Description, refs, problems);
    }

    private static string? Resolve(string id, List<string> keys, Dictionary<string, string> byStem, HashSet<string>? preferred, LabelFileFormat format)
    {
        if (format.ImageFolder is not null && preferred is not null)
        {
            var inFolder = preferred.FirstOrDefault(k => StripExtension(k) == $"{format.ImageFolder}/{StripExtension(id)}");
            if (inFolder is not null) return inFolder;
        }
        if (keys.Contains(id, StringComparer.Ordinal) && IsCandidateImage(id)) return id;
        return byStem.TryGetValue(StripExtension(id), out var key) ? key : null;
    }

    private static string StripExtension(string key)
    {
        int slash = key.LastIndexOf('/'), dot = key.LastIndexOf('.');
        return dot > slash + 1 ? key[..dot] : key;
    }
}
