using System.Buffers.Binary;
using System.Globalization;

namespace BatchXai.Imaging;

/// <summary>
/// Reads one frame of a DICOM file through GDCM (uncompressed, RLE, JPEG, JPEG-LS, JPEG 2000),
/// applies the modality LUT (Rescale Slope/Intercept) to grayscale frames and converts YBR
/// colour to RGB. A file GDCM cannot read fails with a reason naming the tag or transfer syntax.
/// </summary>
public static class DicomDecoder
{
    private static readonly gdcm.Tag PixelData = new(0x7FE0, 0x0010), WindowCenter = new(0x0028, 0x1050),
        WindowWidth = new(0x0028, 0x1051), SopInstanceUid = new(0x0008, 0x0018), VoiLutSequence = new(0x0028, 0x3010),
        LutDescriptor = new(0x0028, 0x3002), LutData = new(0x0028, 0x3006);

    /// <summary>True when the bytes carry DICOM's "DICM" prefix after the 128-byte preamble.</summary>
    public static bool IsDicom(ReadOnlySpan<byte> data) => data.Length >= 132 && data[128..132].SequenceEqual("DICM"u8);

    /// <param name="frame">Zero-based frame of a multi-frame file.</param>
    public static DicomFrame Decode(ReadOnlySpan<byte> data, int frame = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        var decoded = GdcmFiles.Read(data, path => DecodeFile(path, frame));
        CheckNotTruncated(data);
        return decoded;
    }

    private static DicomFrame DecodeFile(string path, int frame)
    {
        using var reader = new gdcm.ImageReader();
        reader.SetFileName(path);
        if (!reader.Read()) throw new ImageDecodeException(WhyUnreadable(path));
        using var image = reader.GetImage();
        var file = reader.GetFile();
        var syntax = image.GetTransferSyntax();

        int width = (int)image.GetDimension(0), height = (int)image.GetDimension(1);
        int frames = image.GetNumberOfDimensions() >= 3 ? (int)image.GetDimension(2) : 1;
        ImageDecoder.CheckDimensions("DICOM", width, (long)height * frames);
        if (frame >= frames) throw new ImageDecodeException($"DICOM has {frames} frame(s) (0028,0008); frame {frame} asked for");

        using var format = image.GetPixelFormat();
        int samples = format.GetSamplesPerPixel(), bitsAllocated = format.GetBitsAllocated(), bitsStored = format.GetBitsStored();
        bool signed = format.GetPixelRepresentation() == 1;
        if (samples is not (1 or 3)) throw new ImageDecodeException($"DICOM Samples per Pixel (0028,0002) = {samples} is not supported (1 or 3)");
        if (bitsAllocated is not (8 or 16)) throw new ImageDecodeException($"DICOM Bits Allocated (0028,0100) = {bitsAllocated} is not supported (8 or 16)");

        var buffer = new byte[image.GetBufferLength()];
        if (!image.GetBuffer(buffer))
            throw new ImageDecodeException($"DICOM pixel data (7FE0,0010) in transfer syntax {syntax.GetString()} ({syntax}) could not be decoded");
        int bytesPerSample = bitsAllocated / 8, frameSamples = width * height * samples;
        long frameBytes = (long)frameSamples * bytesPerSample;
        if (buffer.Length < frameBytes * (frame + 1))
            throw new ImageDecodeException($"DICOM pixel data (7FE0,0010) is truncated: {buffer.Length} bytes, frame {frame} needs {frameBytes * (frame + 1)}");

        var values = new float[frameSamples];
        var bytes = buffer.AsSpan((int)(frameBytes * frame), (int)frameBytes);
        for (int i = 0; i < frameSamples; i++)
            values[i] = bytesPerSample == 1
                ? signed ? (sbyte)bytes[i] : bytes[i]
                : signed ? BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);

        var photometric = image.GetPhotometricInterpretation().GetType();
        if (samples == 3)
        {
            if (image.GetPlanarConfiguration() == 1) values = Interleave(values, width * height);
            if (photometric is gdcm.PhotometricInterpretation.PIType.YBR_FULL or gdcm.PhotometricInterpretation.PIType.YBR_FULL_422)
                YbrFullToRgb(values, (1 << bitsStored) - 1);
        }
        else
        {
            // Modality LUT: stored value → modality value (Hounsfield units for CT).
            double slope = image.GetSlope(), intercept = image.GetIntercept();
            if (slope != 1 || intercept != 0)
                for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] * slope + intercept);
        }

        using var strings = new gdcm.StringFilter();
        strings.SetFile(file);
        var window = FirstNumber(strings, file, WindowCenter) is double c && FirstNumber(strings, file, WindowWidth) is double w && w >= 1
            ? new IntensityWindow(c, w) : (IntensityWindow?)null;
        string? uid = file.GetDataSet().FindDataElement(SopInstanceUid) ? strings.ToString(SopInstanceUid).Trim('\0', ' ') : null;
        var lut = samples == 1 ? FileLut(file, signed, IsBigEndian(syntax)) : null;
        return new DicomFrame(width, height, samples, values, photometric == gdcm.PhotometricInterpretation.PIType.MONOCHROME1,
            bitsStored, window, frames, uid, lut);
    }

    /// <summary>The first item of VOI LUT Sequence (0028,3010), if the file has one.</summary>
    private static VoiLut? FileLut(gdcm.File file, bool signed, bool bigEndian)
    {
        var dataSet = file.GetDataSet();
        if (!dataSet.FindDataElement(VoiLutSequence)) return null;
        using var sequence = dataSet.GetDataElement(VoiLutSequence).GetValueAsSQ();
        if (sequence is null || sequence.GetNumberOfItems() == 0) return null;
        var item = sequence.GetItem(1).GetNestedDataSet();
        if (!item.FindDataElement(LutDescriptor) || !item.FindDataElement(LutData))
            throw new ImageDecodeException("DICOM VOI LUT Sequence (0028,3010) item lacks LUT Descriptor (0028,3002) or LUT Data (0028,3006)");
        return VoiLut.Of(Bytes(item.GetDataElement(LutDescriptor)), Bytes(item.GetDataElement(LutData)), signed, bigEndian);
    }

    private static bool IsBigEndian(gdcm.TransferSyntax syntax) => syntax.GetString()?.Trim('\0', ' ') == "1.2.840.10008.1.2.2";

    private static byte[] Bytes(gdcm.DataElement element)
    {
        var value = element.GetByteValue();
        if (value is null) return [];
        uint length = value.GetLength();
        var bytes = new byte[length];
        value.GetBuffer(bytes, length);
        return bytes;
    }

    /// <summary>Why GDCM refused a file: not parsable at all (truncated, corrupt), no pixel data, or its encoding.</summary>
    private static string WhyUnreadable(string path)
    {
        using var plain = new gdcm.Reader();
        plain.SetFileName(path);
        bool parsed = plain.Read();
        var file = plain.GetFile();
        if (!parsed)
            return file.GetDataSet().FindDataElement(PixelData)
                ? "truncated DICOM: pixel data (7FE0,0010) ends before its stated length"
                : "truncated or corrupt DICOM: the data set cannot be parsed up to pixel data (7FE0,0010)";
        if (!file.GetDataSet().FindDataElement(PixelData)) return "DICOM without pixel data (7FE0,0010)";
        var syntax = file.GetHeader().GetDataSetTransferSyntax();
        return $"DICOM image cannot be read (transfer syntax {syntax.GetString()}, {syntax}): pixel data (7FE0,0010) or image attributes (0028,xxxx) are invalid";
    }

    /// <summary>
    /// GDCM reads an uncompressed file whose pixel data stops short of its stated length without
    /// complaint (the missing bytes come back as zeros): compare the stated length of the first
    /// little-endian Pixel Data element (7FE0,0010) with the bytes the file still holds. (The first:
    /// the bytes of a later match may be pixel values themselves.)
    /// </summary>
    private static void CheckNotTruncated(ReadOnlySpan<byte> data)
    {
        int at = data.IndexOf((ReadOnlySpan<byte>)[0xE0, 0x7F, 0x10, 0x00]);
        if (at < 0 || data.Length < at + 8) return;
        var vr = data.Slice(at + 4, 2);
        bool explicitOb = vr.SequenceEqual("OW"u8) || vr.SequenceEqual("OB"u8);
        int header = explicitOb ? 12 : 8;
        if (data.Length < at + header) return;
        uint stated = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + header - 4)..]);
        if (stated == uint.MaxValue) return;   // encapsulated (compressed): the codec checks its fragments
        long have = data.Length - at - header;
        if (have < stated)
            throw new ImageDecodeException($"truncated DICOM: pixel data (7FE0,0010) states {stated} bytes, the file holds {have}");
    }

    private static double? FirstNumber(gdcm.StringFilter strings, gdcm.File file, gdcm.Tag tag)
    {
        if (!file.GetDataSet().FindDataElement(tag)) return null;
        var first = strings.ToString(tag).Split('\\')[0].Trim('\0', ' ');
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;
    }

    private static float[] Interleave(float[] planar, int pixels)
    {
        var interleaved = new float[planar.Length];
        for (int p = 0; p < pixels; p++)
            for (int c = 0; c < 3; c++) interleaved[3 * p + c] = planar[c * pixels + p];
        return interleaved;
    }

    /// <summary>YBR_FULL → RGB (PS3.3 C.7.6.3.1.2), in place, clamped to the stored range.</summary>
    private static void YbrFullToRgb(float[] values, int max)
    {
        double half = (max + 1) / 2.0;
        for (int i = 0; i < values.Length; i += 3)
        {
            double y = values[i], cb = values[i + 1] - half, cr = values[i + 2] - half;
            values[i] = (float)Math.Clamp(Math.Round(y + 1.402 * cr), 0, max);
            values[i + 1] = (float)Math.Clamp(Math.Round(y - 0.344136 * cb - 0.714136 * cr), 0, max);
            values[i + 2] = (float)Math.Clamp(Math.Round(y + 1.772 * cb), 0, max);
        }
    }
}
