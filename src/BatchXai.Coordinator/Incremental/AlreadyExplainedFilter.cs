using System.Collections.Concurrent;
using System.Security.Cryptography;
using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Coordinator.Incremental;

/// <summary>
/// Leaves out images whose content (SHA-256 of the stored bytes, as workers record it on every
/// result row) already has results from the same model (by its SHA-256) for every requested
/// method, in any earlier run: a renamed or re-uploaded image is not explained twice, an edited
/// one is. A frame of a multi-frame file is known by the file's hash and its frame number. Entries that failed at enumeration stay, so their reasons are recorded again.
/// </summary>
public sealed class AlreadyExplainedFilter(RunCatalog catalog, int parallelism = 8) : IListingFilter
{
    public async Task<DatasetListing> FilterAsync(IObjectStore dataset, DatasetListing listing, string modelSha256, IReadOnlyList<string> methods, CancellationToken ct)
    {
        // Per file: the frames of a multi-frame file (file#frame) share its bytes.
        var fileHashes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var files = listing.Images.Select(i => FrameKeys.Split(i.Key).File).Distinct(StringComparer.Ordinal);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (file, token) =>
        {
            // An unreadable image stays in the run: its worker records why it fails.
            try { fileHashes[file] = Convert.ToHexStringLower(SHA256.HashData(await dataset.ReadAsync(file, token))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        });
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in listing.Images)
        {
            var (file, frame) = FrameKeys.Split(image.Key);
            if (fileHashes.TryGetValue(file, out var hash)) hashes[image.Key] = FrameKeys.ContentId(hash, frame);
        }
        var explained = await catalog.ExplainedHashesAsync(modelSha256, methods, hashes.Values.ToList(), ct);
        List<ImageRef> fresh = listing.Images.Where(i => !hashes.TryGetValue(i.Key, out var hash) || !explained.Contains(hash)).ToList();
        return listing with { Images = fresh };
    }
}
