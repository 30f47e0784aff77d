namespace BatchXai.Storage.Database;

/// <summary>
/// One image's field of view in model-input pixels (table image_fields_of_view, migration 0005),
/// written by the worker with the image's results. <see cref="Kind"/>: detected_disc (centre and
/// radius), detected_foreground (<see cref="Mask"/>: bit-packed, row-major, pixel i in bit i % 8 of
/// byte i / 8; centre and radius are its centroid and equal-area radius) or frame.
/// </summary>
public sealed class ImageFieldOfViewRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string ImageKey { get; set; } = "";
    public string Kind { get; set; } = "";
    public int Height { get; set; }
    public int Width { get; set; }
    public double CenterX { get; set; }
    public double CenterY { get; set; }
    public double Radius { get; set; }
    /// <summary>Share of the frame's pixels inside the field of view.</summary>
    public double InsideFraction { get; set; }
    public byte[]? Mask { get; set; }
    public DateTime CreatedAt { get; set; }
}
