using BatchXai.Imaging;
using BatchXai.Tests.Imaging;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Dicom;

/// <summary>DICOM through GDCM against pydicom + numpy on pydicom's own sample files.</summary>
public sealed class DicomDecoderTests
{
    [Theory]
    [InlineData("CT_small.dcm")]          // CT, signed 16-bit, Rescale Intercept −1024 → Hounsfield units
    [InlineData("MR_small.dcm")]          // explicit VR little endian
    [InlineData("MR_small_RLE.dcm")]      // RLE lossless
    [InlineData("MR_small_implicit.dcm")] // implicit VR
    [InlineData("MR_small_bigendian.dcm")]// explicit VR big endian
    public void Modality_values_match_pydicom(string name)
    {
        var frame = DicomDecoder.Decode(DicomSamples.Bytes(name));
        var expected = DicomSamples.ModalityValues(DicomSamples.PathOf(name));

        Assert.Equal(1, frame.Samples);
        Assert.Equal(expected.Length, frame.Width * frame.Height);
        Assert.Equal(expected, frame.Values);
    }

    [Fact]
    public void Ct_values_are_hounsfield_units()
    {
        var frame = DicomDecoder.Decode(DicomSamples.Bytes("CT_small.dcm"));
        // Stored values are ≥ 0 in this file; the intercept moves air towards −1000 HU.
        Assert.True(frame.Values.Min() < -500, $"min {frame.Values.Min()}");
    }

    [Theory]
    [InlineData("MR_small_jpeg_ls_lossless.dcm")]
    [InlineData("MR_small_jp2klossless.dcm")]
    public void Lossless_compressed_copies_decode_to_the_uncompressed_pixels(string name)
    {
        var reference = DicomDecoder.Decode(DicomSamples.Bytes("MR_small.dcm"));
        var compressed = DicomDecoder.Decode(DicomSamples.Bytes(name));
        Assert.Equal((reference.Width, reference.Height), (compressed.Width, compressed.Height));
        Assert.Equal(reference.Values, compressed.Values);
    }

    [Fact]
    public void A_window_maps_hounsfield_units_by_the_closed_form()
    {
        // Lung window, computed independently in numpy from pydicom's HU (PS3.3 C.11.2.1.2.1).
        var path = DicomSamples.PathOf("CT_small.dcm");
        var image = ImageDecoder.Decode(File.ReadAllBytes(path), window: new IntensityWindow(-600, 1500));
        var expected = PythonReference.Run("""
            import sys, numpy as np, pydicom
            from pydicom.pixel_data_handlers.util import apply_modality_lut
            ds = pydicom.dcmread(sys.argv[1]); x = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
            c, w = -600.0, 1500.0
            y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 255.0, ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0))
            print(' '.join(str(int(v)) for v in np.floor(y + 0.5).ravel()))
            """, path).Split(' ').Select(byte.Parse).ToArray();

        var gray = Enumerable.Range(0, image.Width * image.Height).Select(p => image.Pixels[3 * p]).ToArray();
        Assert.Equal(expected, gray);
        Assert.Contains(gray, v => v > 0 && v < 255);
    }

    [Fact]
    public void The_files_own_window_is_used_when_none_is_given()
    {
        var frame = DicomDecoder.Decode(DicomSamples.Bytes("MR_small.dcm"));
        Assert.Equal(new IntensityWindow(600, 1600), frame.FileWindow);
        var image = DicomRendering.ToRgb(frame);
        for (int p = 0; p < frame.Values.Length; p += 97)
            Assert.Equal((byte)Math.Round(new IntensityWindow(600, 1600).Apply(frame.Values[p]), MidpointRounding.AwayFromZero), image.Pixels[3 * p]);
    }

    [Fact]
    public void Monochrome1_is_inverted()
    {
        using var folder = new TempFolder("dicom");
        var path = Path.Combine(folder.Path, "mono1");   // no extension: recognised by content
        PythonReference.Run("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1]); ds.PhotometricInterpretation = 'MONOCHROME1'; ds.save_as(sys.argv[2])
            """, DicomSamples.PathOf("MR_small.dcm"), path);
        var mono2 = ImageDecoder.Decode(DicomSamples.Bytes("MR_small.dcm"));
        var mono1 = ImageDecoder.Decode(File.ReadAllBytes(path));
        Assert.Equal(mono2.Pixels.Select(v => (byte)(255 - v)), mono1.Pixels);
    }

    [Fact]
    public void Each_frame_of_a_multi_frame_file_can_be_chosen()
    {
        var path = DicomSamples.PathOf("SC_rgb_rle_2frame.dcm");
        var first = DicomDecoder.Decode(File.ReadAllBytes(path), 0);
        var second = DicomDecoder.Decode(File.ReadAllBytes(path), 1);
        Assert.Equal((2, 3), (first.FrameCount, first.Samples));
        Assert.Equal(DicomSamples.ModalityValues(path, 0), first.Values);
        Assert.Equal(DicomSamples.ModalityValues(path, 1), second.Values);
        var e = Assert.Throws<ImageDecodeException>(() => DicomDecoder.Decode(File.ReadAllBytes(path), 2));
        Assert.Contains("(0028,0008)", e.Reason);
    }

    [Theory]
    [InlineData("MR_truncated.dcm", "(7FE0,0010)")]
    [InlineData("rtplan.dcm", "DICOM without pixel data (7FE0,0010)")]
    public void Bad_files_fail_with_a_reason_naming_the_tag(string name, string expected)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(DicomSamples.Bytes(name)));
        Assert.Contains(expected, e.Reason);
    }

    [Fact]
    public void An_unsupported_transfer_syntax_is_named()
    {
        using var folder = new TempFolder("dicom");
        var path = Path.Combine(folder.Path, "mpeg.dcm");
        // JPEG 2000 pixel data relabelled as MPEG2 Main Profile, which GDCM does not decode.
        PythonReference.Run("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1]); ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.100'; ds.save_as(sys.argv[2])
            """, DicomSamples.PathOf("MR_small_jp2klossless.dcm"), path);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(File.ReadAllBytes(path)));
        Assert.Contains("1.2.840.10008.1.2.4.100", e.Reason);
    }
}
