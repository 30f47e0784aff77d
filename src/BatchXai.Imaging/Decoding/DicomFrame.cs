namespace BatchXai.Imaging;

/// <summary>
/// One frame of a DICOM image at full precision. Grayscale frames hold modality values (stored
/// value · Rescale Slope + Rescale Intercept: Hounsfield units for CT); colour frames hold RGB
/// samples interleaved, at their stored depth.
/// </summary>
/// <param name="Samples">1 (grayscale) or 3 (RGB).</param>
/// <param name="Monochrome1">MONOCHROME1: the smallest value is displayed white (inverted after windowing).</param>
/// <param name="FileWindow">The file's first VOI window (Window Center/Width, (0028,1050)/(0028,1051)), if any.</param>
/// <param name="FrameCount">Frames in the file (Number of Frames, 1 when absent).</param>
/// <param name="SopInstanceUid">(0008,0018), for label files keyed by it.</param>
/// <param name="FileLut">The file's VOI LUT Sequence (0028,3010), first item, if any: used before its window when the run gives none.</param>
public sealed record DicomFrame(int Width, int Height, int Samples, float[] Values, bool Monochrome1, int BitsStored,
    IntensityWindow? FileWindow, int FrameCount, string? SopInstanceUid, VoiLut? FileLut = null);
