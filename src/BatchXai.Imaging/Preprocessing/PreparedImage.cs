namespace BatchXai.Imaging;

/// <summary>
/// An image at model-input size, ready for <see cref="ImagePreprocessor.WriteTensor"/> and kept for
/// overlays. <see cref="SourceRegion"/> is the rectangle of the original image (possibly reaching
/// past its edges, where the input is black padding) that the model input covers, so a map can be
/// placed back onto the original.
/// </summary>
public sealed record PreparedImage(RgbImage Image, PixelRect SourceRegion, int SourceWidth, int SourceHeight);
