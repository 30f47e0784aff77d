namespace BatchXai.Imaging;

/// <summary>
/// An image at model-input size, ready for <see cref="ImagePreprocessor.WriteTensor"/> and kept for
/// overlays. <see cref="SourceRegion"/> is the rectangle of the original image (possibly reaching
/// past its edges, where the input is black padding) that the model input covers, so a map can be
/// placed back onto the original. <see cref="Levels"/>: the same input at full precision, for a
/// source of more than 8 bits (the model input is computed from it; <see cref="Image"/> is its rounding).
/// </summary>
public sealed record PreparedImage(RgbImage Image, PixelRect SourceRegion, int SourceWidth, int SourceHeight, LevelImage? Levels = null);
