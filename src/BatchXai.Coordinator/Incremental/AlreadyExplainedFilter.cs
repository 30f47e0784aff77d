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
/// one is. Entries that failed at enumeration stay, so their reasons are recorded again.
/// </summary>
public sealed class AlreadyExplainedFilter(RunCatalog catalog, int parallelism = 8) : IListingFilter
{
    public async Task<DatasetListing> FilterAsync(IObjectStore dataset, DatasetListing listing, string modelSha256, IReadOnlyList<string> methods, CancellationToken ct)
    {
        var hashes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(listing.Images, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (image, token) =>
        {
            // An unreadable image stays in the run: its worker records why it fails.
            try { hashes[image.Key] = Convert.ToHexStringLower(SHA256.HashData(await dataset.ReadAsync(image.Key, token))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        });
        var explained = await catalog.ExplainedHashesAsync(modelSha256, methods, hashes.Values.ToList(), ct);
        List<ImageRef> fresh = listing.Images.Where(i => !hashes.TryGetValue(i.Key, out var hash) || !explained.Contains(hash)).ToList();
        return listing with { Images = fresh };
    }
}
