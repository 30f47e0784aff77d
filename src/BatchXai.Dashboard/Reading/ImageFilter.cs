namespace BatchXai.Dashboard.Reading;

/// <summary>Which images the browser lists: all explained ones, correct or wrong predictions, or the failed ones.</summary>
public enum ImageOutcome { All, Correct, Wrong, Failed }

/// <summary>
/// An image-browser query. <see cref="ClassIndex"/> matches the label, or the prediction for an
/// unlabelled image. Paged in image-key order.
/// </summary>
public sealed record ImageFilter(ImageOutcome Outcome = ImageOutcome.All, int? ClassIndex = null, int Offset = 0, int Limit = 48)
{
    public const int MaxLimit = 500;

    /// <summary>Keys listed at most for the image view's keyboard navigation.</summary>
    public const int MaxKeys = 10_000;

    public static ImageOutcome ParseOutcome(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "all" => ImageOutcome.All,
        "correct" => ImageOutcome.Correct,
        "wrong" => ImageOutcome.Wrong,
        "failed" => ImageOutcome.Failed,
        _ => throw new ArgumentException($"filter '{value}': expected all, correct, wrong or failed"),
    };
}
