using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Imaging;
using BatchXai.Storage.Database;

namespace BatchXai.Worker;

/// <summary>
/// A batch after fetching, decoding and preprocessing: the images that made it (with their
/// prepared model-input images, the original regions overlays are drawn on, fields of view and content
/// hashes) and the ones that failed, with why.
/// </summary>
public sealed class PreparedBatch
{
    public List<ImageRef> Images { get; } = [];
    /// <summary>Each image as prepared: the model-input-size image (what maps are stored at), and the window of the photo it covers (the mask metrics crop masks through it).</summary>
    public List<PreparedImage> PreparedImages { get; } = [];
    /// <summary>The part of each original image the model saw (fundus: the cropped photo), long side the run's overlay size: what overlays are drawn on.</summary>
    public List<RgbImage> OverlayImages { get; } = [];
    /// <summary>Each image's field of view in input pixels; null where none was found (an almost black image).</summary>
    public List<FieldOfView?> FieldsOfView { get; } = [];
    public List<string> ContentHashes { get; } = [];
    public List<ImageFailureRow> Failures { get; } = [];
    /// <summary>Model input for <see cref="Images"/>, sample after sample.</summary>
    public float[] Tensor { get; set; } = [];
    public int Count => Images.Count;

    public void Fail(string imageKey, string stage, string error)
    {
        Failures.Add(new ImageFailureRow { ImageKey = imageKey, Stage = stage, Error = error });
        WorkerMetrics.Failed(stage);
    }
}
