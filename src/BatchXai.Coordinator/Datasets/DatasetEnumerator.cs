using BatchXai.Contracts;
using BatchXai.Storage.Objects;

namespace BatchXai.Coordinator.Datasets;

/// <summary>
/// Lists a dataset in object storage and resolves labels. Layout detection, in order: a known
/// label file at the root (CSV manifest), images in first-level sub-folders (folder per class),
/// anything else (unlabelled). Entries that cannot be explained (a label row without its image,
/// a label that is no class of the model, a mask the row names that is not there) become
/// <see cref="DatasetProblem"/>s, not errors. The <c>masks/</c> folder holds ground-truth masks
/// (<see cref="ImageRef.MasksFolder"/>): never images to explain, and never a class folder.
/// Multi-frame DICOM files become one image per frame, keyed <c>file#frame</c> (<see cref="FrameKeys"/>),
/// unless <paramref name="expandFrames"/> is false (the run reads one chosen frame of each file).
/// </summary>
public sealed class DatasetEnumerator(IObjectStore store, IReadOnlyList<string> classNames, bool expandFrames = true)
{
    private static readonly HashSet<string> NonImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".csv", ".txt", ".json", ".md", ".npy", ".db", ".db-wal", ".db-shm", ".sqlite", ".xml", ".yaml", ".yml",
    };

    private readonly LabelResolver _labels = new(classNames);
    private readonly DicomHeaders _dicom = new(store);

    public async Task<DatasetListing> EnumerateAsync(CancellationToken ct = default)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync("", ct)) keys.Add(key);
        // A file named like a frame key ("a#2") could not be told from frame 2 of a file "a".
        var reserved = keys.Where(k => IsCandidateImage(k) && FrameKeys.LooksLikeFrameKey(k)).ToHashSet(StringComparer.Ordinal);
        var listing = await ListAsync(keys.Where(k => !reserved.Contains(k)).ToList(), ct);
        var listed = await ExpandFramesAsync(listing, ct);
        return listed with
        {
            Problems = [.. listed.Problems, .. reserved.Order(StringComparer.Ordinal).Select(k => new DatasetProblem(k,
                $"file name '{k}' ends in '#' and digits, which BatchXai keys frames of multi-frame DICOM files by (file#frame): rename it"))],
        };
    }

    private async Task<DatasetListing> ListAsync(List<string> keys, CancellationToken ct)
    {
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

    /// <summary>
    /// Each frame of a multi-frame DICOM file becomes an image with the file's label, except frames a
    /// label file names on their own (<c>file#frame</c> rows), which keep theirs.
    /// </summary>
    private async Task<DatasetListing> ExpandFramesAsync(DatasetListing listing, CancellationToken ct)
    {
        await _dicom.ReadAsync(listing.Images.Select(i => FrameKeys.Split(i.Key).File), ct);
        var ownRows = listing.Images.Where(i => FrameKeys.Split(i.Key).Frame is not null).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        var images = new List<ImageRef>();
        var problems = listing.Problems.ToList();
        foreach (var image in listing.Images)
        {
            var (file, frame) = FrameKeys.Split(image.Key);
            int frames = _dicom.Of(file)?.FrameCount ?? 1;
            if (frame is { } f)
            {
                if (!expandFrames)
                    problems.Add(new DatasetProblem(image.Key, $"names frame {f} of '{file}', but this run reads one chosen frame of each file (--frame)"));
                else if (f >= frames)
                    problems.Add(new DatasetProblem(image.Key, $"names frame {f} of '{file}', which has {frames} frame(s) (0028,0008)"));
                else
                    images.Add(image);
            }
            else if (!expandFrames || frames == 1)
                images.Add(image);
            else
                images.AddRange(Enumerable.Range(0, frames).Select(i => image with { Key = FrameKeys.Of(file, i) }).Where(i => !ownRows.Contains(i.Key)));
        }
        return listing with { Images = images, Problems = problems };
    }

    /// <summary>Not a known non-image type, not under <c>masks/</c>, and neither the file nor a folder above it is hidden (".DS_Store", ".cache/").</summary>
    private static bool IsCandidateImage(string key) =>
        !key.StartsWith('.') && !key.Contains("/.", StringComparison.Ordinal) && !NonImageExtensions.Contains(Path.GetExtension(key))
        && !key.StartsWith(ImageRef.MasksFolder + "/", StringComparison.Ordinal);

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
        format = LabelFileFormat.Of(format, text);
        var images = new ImageIndex(keys.Where(IsCandidateImage), format.ImageFolder);

        var refs = new List<ImageRef>();
        var problems = new List<DatasetProblem>();
        // Each problem becomes a failure row keyed by (run, image key), and an image's result
        // deletes a failure row with its key: so every listed image and every problem needs a
        // key of its own, or the run's explained + failed could never reach its expected count.
        var lineOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var allKeys = keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (line, id, labelText, mask) in LabelFileFormat.Parse(format, text))
        {
            string? key = await ResolveAsync(images, id, ct);
            if (key is null)
            {
                if (lineOfKey.TryAdd(id, line))
                    problems.Add(new DatasetProblem(id, $"{format.FileName} line {line} names image '{id}', which is not in the dataset"));
                else
                    problems.Add(Duplicate(format, line, id, id, lineOfKey[id]));
                continue;
            }
            if (!lineOfKey.TryAdd(key, line))
            {
                problems.Add(Duplicate(format, line, id, key, lineOfKey[key]));
                continue;
            }
            if (mask is not null && !allKeys.Contains(mask))
            {
                problems.Add(new DatasetProblem(key, $"{format.FileName} line {line}: mask '{mask}' is not in the dataset"));
                continue;
            }
            if (format.IsMultiLabel)
            {
                if (_labels.TryResolveFindings(labelText, out var findings, out var unknown)) refs.Add(new ImageRef(key, null, mask, findings));
                else problems.Add(new DatasetProblem(key, $"{format.FileName} line {line}: finding '{unknown}' is not a class of the model ({_labels.Describe()})"));
                continue;
            }
            if (!_labels.TryResolve(labelText, out int label))
            {
                problems.Add(new DatasetProblem(key, $"{format.FileName} line {line}: label '{labelText}' is not a class of the model ({_labels.Describe()})"));
                continue;
            }
            refs.Add(new ImageRef(key, label, mask));
        }
        return new DatasetListing(DatasetLayout.CsvManifest, format.Description, refs, problems);
    }

    /// <summary>
    /// The image a label row names: by path (<see cref="ImageIndex"/>), else by a DICOM file's SOP
    /// Instance UID (0008,0018) — headers are read the first time a row needs it; either may carry a
    /// frame suffix (<c>scan.dcm#3</c>, <c>1.2.840…#3</c>) naming one frame of a multi-frame file.
    /// </summary>
    private async Task<string?> ResolveAsync(ImageIndex images, string id, CancellationToken ct)
    {
        if (images.Resolve(id) is { } key) return key;
        var (file, frame) = FrameKeys.Split(id);
        var fileKey = images.Resolve(file);
        if (fileKey is null)
        {
            await _dicom.ReadAsync(images.Keys, ct);
            fileKey = _dicom.KeyOfUid(file);
        }
        return fileKey is null || frame is null ? fileKey : FrameKeys.Of(fileKey, frame.Value);
    }

    /// <summary>A repeated row counts as an entry of its own that fails, under a key naming its line.</summary>
    private static DatasetProblem Duplicate(LabelFileFormat format, int line, string id, string key, int firstLine) =>
        new($"{key}#line{line}", $"{format.FileName} line {line} names image '{id}' ({key}), already listed on line {firstLine}");

    /// <summary>Finds the image a label row means: rows name images by id or file name, with or without folder and extension.</summary>
    private sealed class ImageIndex
    {
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _byStem = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _inImageFolder = new(StringComparer.Ordinal);
        private readonly string? _imageFolder;

        public ImageIndex(IEnumerable<string> imageKeys, string? imageFolder)
        {
            _imageFolder = imageFolder;
            foreach (var key in imageKeys)
            {
                _keys.Add(key);
                var stem = StripExtension(key);
                // The format's own image folder wins over a same-named file anywhere else.
                if (imageFolder is not null && key.StartsWith(imageFolder + "/", StringComparison.Ordinal)) _inImageFolder.TryAdd(stem, key);
                _byStem.TryAdd(stem, key);
                _byStem.TryAdd(stem[(stem.LastIndexOf('/') + 1)..], key);
            }
        }

        public IEnumerable<string> Keys => _keys;

        public string? Resolve(string id)
        {
            var stem = StripExtension(id);
            if (_imageFolder is not null && _inImageFolder.TryGetValue($"{_imageFolder}/{stem}", out var inFolder)) return inFolder;
            if (_keys.Contains(id)) return id;
            return _byStem.TryGetValue(stem, out var key) ? key : null;
        }

        private static string StripExtension(string key)
        {
            int slash = key.LastIndexOf('/'), dot = key.LastIndexOf('.');
            return dot > slash + 1 ? key[..dot] : key;
        }
    }
}
