using BatchXai.Imaging;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Imaging;

/// <summary>16-bit grayscale PNG and TIFF (a 12-bit radiograph stored in 16 bits) kept at full precision until the window.</summary>
public sealed class HighBitDepthTests
{
    private const string Window = """
        import sys, numpy as np
        from PIL import Image
        def window(x, c, w):
            y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 255.0, ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0))
            return np.floor(y + 0.5).astype(int)
        """;

    /// <summary>Writes a 12-bit gradient with structure as a 16-bit PNG or TIFF (PIL picks by the name; Deflate-compressed when it says so); returns numpy's levels for the window (min–max when null).</summary>
    private static (string Path, byte[] Expected) Make(TempFolder folder, string name, string? window)
    {
        var path = Path.Combine(folder.Path, name);
        var levels = PythonReference.Run(Window + "\n" + """
            y, x = np.mgrid[0:40, 0:56]
            a = (300 + 60 * x + 7 * y + 200 * ((x // 8 + y // 8) % 2)).astype(np.uint16)   # 300..3933
            Image.fromarray(a).save(sys.argv[1], **({'compression': 'tiff_adobe_deflate'} if 'deflate' in sys.argv[1] else {}))
            assert np.array_equal(np.asarray(Image.open(sys.argv[1])), a)
            x = a.astype(np.float64)
            if sys.argv[2] == 'minmax':
                lo, hi = x.min(), x.max(); w = hi - lo + 1; c = lo + w / 2
            else:
                c, w = map(float, sys.argv[2].split(','))
            print(' '.join(str(v) for v in window(x, c, w).ravel()))
            """, path, window ?? "minmax");
        return (path, levels.Split(' ').Select(byte.Parse).ToArray());
    }

    private static byte[] Gray(RgbImage image) => Enumerable.Range(0, image.Width * image.Height).Select(p => image.Pixels[3 * p]).ToArray();

    [Theory]
    [InlineData("xray16.png")]
    [InlineData("xray16.tif")]
    [InlineData("xray16-deflate.tif")]
    public void Without_a_window_the_images_min_max_fills_the_range(string name)
    {
        using var folder = new TempFolder("gray16");
        var (path, expected) = Make(folder, name, null);
        var image = ImageDecoder.Decode(File.ReadAllBytes(path));
        Assert.Equal(expected, Gray(image));
        Assert.Equal((byte)0, Gray(image).Min());
        Assert.Equal((byte)255, Gray(image).Max());
    }

    [Theory]
    [InlineData("xray16.png")]
    [InlineData("xray16.tif")]
    public void A_given_window_maps_the_16_bit_samples_by_the_closed_form(string name)
    {
        using var folder = new TempFolder("gray16");
        var (path, expected) = Make(folder, name, "2000,1000");
        var image = ImageDecoder.Decode(File.ReadAllBytes(path), window: new IntensityWindow(2000, 1000));
        Assert.Equal(expected, Gray(image));
    }
}
