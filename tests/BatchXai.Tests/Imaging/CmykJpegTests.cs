using BatchXai.Imaging;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Imaging;

/// <summary>A CMYK JPEG (a valid photo, as print workflows write them) decodes to the RGB that PIL gives.</summary>
public sealed class CmykJpegTests
{
    [Fact]
    public void A_cmyk_jpeg_decodes_to_pils_rgb()
    {
        using var folder = new TempFolder("cmyk");
        var jpeg = Path.Combine(folder.Path, "cmyk.jpg");
        var reference = PythonReference.Run("""
            import sys, numpy as np
            from PIL import Image
            y, x = np.mgrid[0:48, 0:64]
            rgb = np.stack([x * 4, y * 5, (x + y) * 2], -1).clip(0, 255).astype(np.uint8)
            Image.fromarray(rgb, 'RGB').convert('CMYK').save(sys.argv[1], quality=95)
            back = Image.open(sys.argv[1]); assert back.mode == 'CMYK', back.mode
            print(' '.join(str(v) for v in np.asarray(back.convert('RGB')).ravel()))
            """, jpeg).Split(' ').Select(byte.Parse).ToArray();

        var image = ImageDecoder.Decode(File.ReadAllBytes(jpeg));

        Assert.Equal((64, 48), (image.Width, image.Height));
        int worst = image.Pixels.Zip(reference).Max(t => Math.Abs(t.First - t.Second));
        Assert.True(worst <= 2, $"largest difference from PIL {worst} levels");
        Assert.True(image.Pixels.Zip(reference).Average(t => Math.Abs(t.First - t.Second)) < 0.5);
    }
}
