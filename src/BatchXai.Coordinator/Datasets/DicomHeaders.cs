using System.Collections.Concurrent;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;

namespace BatchXai.Coordinator.Datasets;

/// <summary>
/// The headers of a dataset's DICOM files (frame count, SOP Instance UID), read once per file from
/// its first <see cref="DicomHeader.HeadBytes"/> bytes (the whole file only when its header runs
/// longer). DICOM is told by content, so every file that is not named as another image format is
/// looked at; a file whose header cannot be read stays one image, and its worker records why it fails.
/// </summary>
internal sealed class DicomHeaders(IObjectStore store, int parallelism = 8)
{
    /// <summary>Raster formats named so are not opened at listing time (a DICOM file so named is read as one image).</summary>
    private static readonly HashSet<string> RasterExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp",
    };

    private readonly ConcurrentDictionary<string, DicomHeader?> _headers = new(StringComparer.Ordinal);

    public static bool MayBeDicom(string key) => !RasterExtensions.Contains(Path.GetExtension(key));

    /// <summary>Reads the headers of the keys not read yet.</summary>
    public async Task ReadAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var pending = keys.Where(k => MayBeDicom(k) && !_headers.ContainsKey(k)).Distinct().ToList();
        _byUid = null;
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (key, token) => _headers[key] = await ReadOneAsync(key, token));
    }

    /// <summary>The file's header; null for a file that is not DICOM, or whose header cannot be read.</summary>
    public DicomHeader? Of(string key) => _headers.GetValueOrDefault(key);

    /// <summary>The file whose SOP Instance UID is <paramref name="uid"/> (the first in key order among those read), if one.</summary>
    public string? KeyOfUid(string uid)
    {
        _byUid ??= _headers.Where(h => h.Value?.SopInstanceUid is not null).OrderBy(h => h.Key, StringComparer.Ordinal)
            .GroupBy(h => h.Value!.SopInstanceUid!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);
        return _byUid.GetValueOrDefault(uid);
    }

    private Dictionary<string, string>? _byUid;

    private async Task<DicomHeader?> ReadOneAsync(string key, CancellationToken ct)
    {
        try
        {
            var head = await store.ReadHeadAsync(key, DicomHeader.HeadBytes, ct);
            if (!DicomDecoder.IsDicom(head)) return null;
            bool complete = head.Length < DicomHeader.HeadBytes;
            return DicomHeader.Read(head, complete) ?? DicomHeader.Read(await store.ReadAsync(key, ct), complete: true);
        }
        // An unreachable store is no fact about the file: StoreUnavailableException goes up.
        catch (Exception e) when (e is (ImageDecodeException or IOException or UnauthorizedAccessException) and not StoreUnavailableException)
        {
            return null;
        }
    }
}
