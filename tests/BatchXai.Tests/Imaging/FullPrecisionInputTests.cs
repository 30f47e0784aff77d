using System.Globalization;
using BatchXai.Imaging;
using BatchXai.Tests.Dicom;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Imaging;

/// <summary>
/// High-bit-depth images reach the model without an 8-bit step: the tensor equals numpy's closed
/// form (window, resize by 2 = 2×2 mean, (level·scale − mean)/std) computed in float64 from the
/// 16-bit samples or pydicom's Hounsfield units, and holds values between 8-bit levels.
/// </summary>
public sealed class FullPrecisionInputTests
{
    private const string WindowPy = """
        import sys, numpy as np
        def window(x, c, w):
            return np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 255.0, ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0))
        def half(a):   # a bilinear resize by exactly 1/2 (pixel centres aligned): the mean of each 2×2 block
            return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) / 4
        def out(v): print(' '.join(repr(float(x)) for x in np.asarray(v, dtype=np.float64).ravel()))
        def rgb16(h, w):   # a colour pattern over the whole 16-bit range
            y, x = np.mgrid[0:h, 0:w]
            return np.stack([1000 * x + 37 * y, 65535 - 2111 * y - x, (7919 * (x + y)) % 65536], axis=-1)
        def out_imagenet(a):   # 16-bit RGB scaled from 0–65535, ImageNet-normalised, NCHW
            levels = a.astype(np.float64) * 255.0 / 65535.0
            mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
            out(((levels / 255.0 - mean) / std).transpose(2, 0, 1))
        """;

    private static float[] Floats(string text) => text.Split(' ').Select(t => (float)double.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    private static float[] Tensor(byte[] file, PreprocessSpec spec, IntensityWindow? window = null)
    {
        var preprocessor = new ImagePreprocessor(spec);
        var prepared = preprocessor.Prepare(ImageDecoder.DecodeLevels(file, window: window));
        var tensor = new float[spec.SampleLength];
        preprocessor.WriteTensor(prepared, tensor);
        return tensor;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).Max();
        Assert.True(worst <= tolerance, $"largest difference {worst:G3}");
    }

    /// <summary>Some value lies clearly between two 8-bit levels: no quantisation on the way.</summary>
    private static void AssertNotOn8BitGrid(float[] tensor, PreprocessSpec spec)
    {
        var levels = tensor.Select(v => (v * spec.Std[0] + spec.Mean[0]) / spec.Scale).ToArray();
        Assert.Contains(levels, l => Math.Abs(l - Math.Round(l)) > 0.05);
    }

    [Theory]
    [InlineData("xray16.png")]
    [InlineData("xray16.tif")]   // PIL writes mode I;16 as a 16-bit MinIsBlack TIFF
    public void A_16_bit_gray_image_reaches_a_gray_model_windowed_and_halved_in_float(string name)
    {
        using var folder = new TempFolder("gray16");
        var path = Path.Combine(folder.Path, name);
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + """
            from PIL import Image
            y, x = np.mgrid[0:40, 0:56]
            a = (300 + 60 * x + 7 * y + 200 * ((x // 8 + y // 8) % 2)).astype(np.uint16)
            Image.fromarray(a).save(sys.argv[1])
            levels = half(window(a.astype(np.float64), 2000.0, 1000.0))
            out((levels / 255.0 - 0.5) / 0.25)
            """, path));
        var spec = new PreprocessSpec { Height = 20, Width = 28, ChannelOrder = ChannelOrder.GRAY, Mean = [0.5f], Std = [0.25f] };

        var tensor = Tensor(File.ReadAllBytes(path), spec, new IntensityWindow(2000, 1000));

        AssertClose(expected, tensor);
        AssertNotOn8BitGrid(tensor, spec);
    }

    [Fact]
    public void A_16_bit_colour_png_is_scaled_from_its_full_range_in_float()
    {
        using var folder = new TempFolder("png16");
        var path = Path.Combine(folder.Path, "rgb16.png");
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + """
            import zlib, struct
            h, w = 6, 10
            a = rgb16(h, w).astype('>u2')
            raw = b''.join(b'\x00' + a[r].tobytes() for r in range(h))
            def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
            png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
            open(sys.argv[1], 'wb').write(png)
            out_imagenet(a)
            """, path));
        var spec = PreprocessSpec.ImageNet(6) with { Width = 10 };

        var tensor = Tensor(File.ReadAllBytes(path), spec);

        AssertClose(expected, tensor);
    }

    /// <summary>
    /// A minimal baseline TIFF writer (uncompressed, 16 bits per sample) independent of libtiff:
    /// strips or tiles, contiguous or separate planes, either byte order, signed or unsigned, any
    /// Photometric and Orientation. Partial edge tiles are padded as the format requires.
    /// </summary>
    private const string TiffPy = """
        import struct
        def tiff(path, a, photometric, signed=False, order='<', planar=1, tile=None, rows=7, orientation=1, ifd_first=False):
            h, w = a.shape[:2]; spp = 1 if a.ndim == 2 else a.shape[2]
            dt = np.dtype(order + ('i2' if signed else 'u2'))
            a = a.astype(dt).reshape(h, w, spp)
            blocks = []
            for p in ([a[:, :, s:s + 1] for s in range(spp)] if planar == 2 else [a]):
                if tile:
                    for y in range(0, h, tile):
                        for x in range(0, w, tile):
                            b = np.zeros((tile, tile, p.shape[2]), dt); part = p[y:y + tile, x:x + tile]
                            b[:part.shape[0], :part.shape[1]] = part; blocks.append(b.tobytes())
                else:
                    blocks += [p[y:y + rows].tobytes() for y in range(0, h, rows)]
            counts = [len(b) for b in blocks]
            def directory(ifd, data_at):
                offsets = [data_at + sum(counts[:i]) for i in range(len(blocks))]
                tags = [(256, 4, [w]), (257, 4, [h]), (258, 3, [16] * spp), (259, 3, [1]), (262, 3, [photometric]),
                        (274, 3, [orientation]), (277, 3, [spp]), (284, 3, [planar]), (339, 3, [2 if signed else 1] * spp)]
                tags += [(322, 4, [tile]), (323, 4, [tile]), (324, 4, offsets), (325, 4, counts)] if tile else [(273, 4, offsets), (278, 4, [rows]), (279, 4, counts)]
                tags.sort()
                extra_at = ifd + 2 + 12 * len(tags) + 4
                entries, extra = b'', b''
                for tag, typ, vals in tags:
                    payload = struct.pack(order + ('H' if typ == 3 else 'I') * len(vals), *vals)
                    if len(payload) <= 4: field = payload.ljust(4, b'\0')
                    else: field = struct.pack(order + 'I', extra_at + len(extra)); extra += payload
                    entries += struct.pack(order + 'HHI', tag, typ, len(vals)) + field
                d = struct.pack(order + 'H', len(tags)) + entries + struct.pack(order + 'I', 0) + extra
                return d + b'\0' * (len(d) % 2)
            head = lambda ifd: (b'II' if order == '<' else b'MM') + struct.pack(order + 'HI', 42, ifd)
            data = b''.join(blocks)
            if ifd_first:   # the directory before the samples, as many writers do: a cut file keeps its directory
                body = head(8) + directory(8, 8 + len(directory(8, 0))) + data
            else:
                body = head(8 + len(data)) + data + directory(8 + len(data), 8)
            open(path, 'wb').write(body)
        h, w = 20, 36
        y, x = np.mgrid[0:h, 0:w]
        """;

    /// <summary>16-bit RGB TIFF in each storage layout libtiff hands back as raw samples: scaled from 0–65535 in float.</summary>
    [Theory]
    [InlineData("rows=7")]
    [InlineData("order='>', planar=2, rows=5")]
    [InlineData("tile=16")]
    [InlineData("tile=16, planar=2, order='>'")]
    public void A_16_bit_rgb_tiff_is_scaled_from_its_full_range_in_float(string layout)
    {
        using var folder = new TempFolder("tiff16");
        var path = Path.Combine(folder.Path, "rgb16.tif");
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + TiffPy + "\n" + $$"""
            a = rgb16(h, w).astype(np.uint16)
            tiff(sys.argv[1], a, 2, {{layout}})
            out_imagenet(a)
            """, path));
        var spec = PreprocessSpec.ImageNet(20) with { Width = 36 };

        var tensor = Tensor(File.ReadAllBytes(path), spec);

        AssertClose(expected, tensor);
    }

    /// <summary>
    /// 16-bit gray TIFF: signed samples (SampleFormat 2) through their min–max, MinIsWhite inverted
    /// after the window, Orientation 3 (bottom-right origin) turned back, in strips and tiles.
    /// </summary>
    [Theory]
    [InlineData("1, signed=True", null)]
    [InlineData("1, signed=True, tile=16, orientation=3", null)]
    [InlineData("0, order='>', rows=3", "2000,1000")]
    [InlineData("0, tile=16", null)]
    public void A_16_bit_gray_tiff_is_windowed_in_float(string layout, string? window)
    {
        using var folder = new TempFolder("tiff16");
        var path = Path.Combine(folder.Path, "gray16.tif");
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + TiffPy + "\n" + $$"""
            a = (300 + 60 * x + 7 * y + 200 * ((x // 8 + y // 8) % 2)).astype(np.int32)
            args = dict(photometric={{layout}})
            if args.get('signed'): a = a - 2500             # negative and positive samples
            tiff(sys.argv[1], a, **args)
            shown = a[::-1, ::-1] if args.get('orientation') == 3 else a
            v = shown.astype(np.float64)
            if sys.argv[2] == 'minmax':
                lo, hi = v.min(), v.max(); wd = hi - lo + 1; c = lo + wd / 2
            else:
                c, wd = map(float, sys.argv[2].split(','))
            levels = window(v, c, wd)
            if args['photometric'] == 0: levels = 255.0 - levels
            out((levels / 255.0 - 0.5) / 0.25)
            """, path, window ?? "minmax"));
        var spec = new PreprocessSpec { Height = 20, Width = 36, ChannelOrder = ChannelOrder.GRAY, Mean = [0.5f], Std = [0.25f] };

        var tensor = Tensor(File.ReadAllBytes(path), spec, window is null ? null : IntensityWindow.Parse(window));

        AssertClose(expected, tensor);
        AssertNotOn8BitGrid(tensor, spec);
    }

    [Fact]
    public void A_signed_16_bit_rgb_tiff_fails_naming_the_sample_format_tag()
    {
        using var folder = new TempFolder("tiff16");
        var path = Path.Combine(folder.Path, "signed-rgb16.tif");
        PythonReference.Run(WindowPy + "\n" + TiffPy + "\n" + """
            tiff(sys.argv[1], np.stack([x, y, x + y], axis=-1) - 10, 2, signed=True)
            """, path);

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLevels(File.ReadAllBytes(path)));

        Assert.Contains("SampleFormat (tag 339) = 2", error.Reason);
    }

    [Theory]
    [InlineData("rows=7")]
    [InlineData("tile=16")]
    public void A_cut_16_bit_tiff_fails_as_truncated(string layout)
    {
        using var folder = new TempFolder("tiff16");
        var path = Path.Combine(folder.Path, "rgb16.tif");
        PythonReference.Run(WindowPy + "\n" + TiffPy + "\n" + $$"""
            tiff(sys.argv[1], np.stack([x, y, x + y], axis=-1) * 100, 2, ifd_first=True, {{layout}})
            """, path);
        var bytes = File.ReadAllBytes(path);
        var whole = ImageDecoder.DecodeLevels(bytes);   // the intact file decodes
        Assert.Equal(35 * 100 * 255.0 / 65535.0, whole.Levels!.Levels[3 * 35], 4);   // red of the last pixel of row 0

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLevels(bytes.AsSpan(0, bytes.Length * 3 / 4)));

        Assert.StartsWith("truncated TIFF: ", error.Reason);
    }

    [Fact]
    public void Ct_hounsfield_units_reach_the_model_through_the_window_without_rounding()
    {
        var path = DicomSamples.PathOf("CT_small.dcm");
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + """
            import pydicom
            from pydicom.pixel_data_handlers.util import apply_modality_lut
            ds = pydicom.dcmread(sys.argv[1]); hu = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
            levels = half(window(hu, -600.0, 1500.0))
            out(np.stack([(levels / 255.0 - 0.5) / 0.25] * 3))
            """, path));
        var spec = new PreprocessSpec { Height = 64, Width = 64, Mean = [0.5f], Std = [0.25f] };

        var tensor = Tensor(File.ReadAllBytes(path), spec, new IntensityWindow(-600, 1500));

        AssertClose(expected, tensor);
        AssertNotOn8BitGrid(tensor, spec);
    }

    [Fact]
    public void A_voi_lut_sequence_is_applied_when_no_window_is_given()
    {
        using var folder = new TempFolder("voilut");
        var path = Path.Combine(folder.Path, "mr-voilut.dcm");
        // MR_small with a VOI LUT Sequence added (a gamma curve over 0..1023, 16-bit entries);
        // pydicom's apply_voi is the reference, its 16-bit output scaled to 0–255.
        var expected = Floats(PythonReference.Run(WindowPy + "\n" + """
            import pydicom
            from pydicom.dataset import Dataset
            from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi
            ds = pydicom.dcmread(sys.argv[1])
            item = Dataset()
            n, first = 1024, 16
            item.add_new(0x00283002, 'US', [n, first, 16])    # LUT Descriptor
            item.add_new(0x00283006, 'OW', np.array([int(65535 * (i / (n - 1)) ** 0.6) for i in range(n)], dtype='<u2').tobytes())   # LUT Data
            ds.VOILUTSequence = [item]
            ds.save_as(sys.argv[2])
            ds = pydicom.dcmread(sys.argv[2])
            out(apply_voi(apply_modality_lut(ds.pixel_array, ds), ds).astype(np.float64) * 255.0 / 65535.0)
            """, DicomSamples.PathOf("MR_small.dcm"), path));
        var bytes = File.ReadAllBytes(path);

        var decoded = ImageDecoder.DecodeLevels(bytes);

        Assert.NotNull(decoded.Levels);
        AssertClose(expected, decoded.Levels.Levels, 1e-3);
        Assert.Equal(expected.Select(v => (byte)Math.Round(v, MidpointRounding.AwayFromZero)),
            Enumerable.Range(0, expected.Length).Select(p => decoded.Pixels.Pixels[3 * p]));
        // A window given by the run (or the manifest) wins over the file's LUT.
        var windowed = ImageDecoder.DecodeLevels(bytes, window: new IntensityWindow(600, 1600));
        var frame = DicomDecoder.Decode(bytes);
        Assert.Equal((float)new IntensityWindow(600, 1600).Apply(frame.Values[123]), windowed.Levels!.Levels[123]);
    }

    [Fact]
    public void Ybr_full_422_colour_matches_pydicoms_conversion_to_rgb()
    {
        var path = DicomSamples.PathOf("SC_ybr_full_422_uncompressed.dcm");
        var expected = PythonReference.Run("""
            import sys, numpy as np, pydicom
            from pydicom.pixel_data_handlers.util import convert_color_space
            ds = pydicom.dcmread(sys.argv[1])
            rgb = convert_color_space(ds.pixel_array, 'YBR_FULL', 'RGB')
            print(' '.join(str(int(v)) for v in rgb.ravel()))
            """, path).Split(' ').Select(int.Parse).ToArray();

        var image = ImageDecoder.Decode(File.ReadAllBytes(path));

        Assert.Equal(expected.Length, image.Pixels.Length);
        int worst = expected.Zip(image.Pixels, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1, $"largest difference {worst} levels from pydicom's YBR_FULL → RGB");
    }
}
