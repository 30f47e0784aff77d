namespace BatchXai.Storage.Database;

/// <summary>
/// One batch of a run as the coordinator published it, recorded with the run in one transaction,
/// so a batch lost between recording and publishing (or to an outage longer than every
/// redelivery) can be published again by the coordinator's sweep.
/// </summary>
public sealed class RunBatchRow
{
    public Guid RunId { get; set; }
    public int BatchIndex { get; set; }

    /// <summary>The batch's images, JSON (ImageRef[]: key, label).</summary>
    public string ImagesJson { get; set; } = "";
}
