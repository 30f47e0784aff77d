namespace BatchXai.Imaging;

/// <summary>
/// An image could not be decoded. <see cref="Reason"/> is short and human readable
/// ("truncated PNG: ...") because it is stored as the per-image failure reason of a run.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string reason, Exception? inner = null)
        : base($"cannot decode image: {reason}", inner)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
