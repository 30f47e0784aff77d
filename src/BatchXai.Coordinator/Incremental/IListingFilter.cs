using BatchXai.Coordinator.Datasets;
using BatchXai.Storage.Objects;

namespace BatchXai.Coordinator.Incremental;

/// <summary>Narrows a dataset listing before a run is recorded (an incremental run keeps only new images).</summary>
public interface IListingFilter
{
    Task<DatasetListing> FilterAsync(IObjectStore dataset, DatasetListing listing, string modelSha256, IReadOnlyList<string> methods, CancellationToken ct);
}
