using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

public class ImageDecoderTests
{
    [Theory]
    [InlineData("jpeg_baseline")]
    [InlineData("jpeg_progressive")]
    [InlineData("jpeg_gray")]
    public void Jpeg_matches_PIL_decode(string name)
    {
        var image = ImageDecoder.Decode(Fixtures.Bytes(name + ".jpg"));
        var expected = Fixtures.ExpectedImage(name + ".expected.npy");
        // Same IDCT (islow) and upsampling as PIL's libjpeg: allow a couple of levels for build differences.
        Assert.InRange(Fixtures.MaxDifference(expected, image), 0, 3);
    }

    [Fact]
    public void Jpeg_with_maxSide_decodes_at_quarter_scale_like_PIL_draft()
    {
        // 320×240; smaller side must stay ≥ 60 → 1/4 (1/8 would give 30).
        var image = ImageDecoder.Decode(Fixtures.Bytes("jpeg_large.jpg"), maxSide: 60);
        var expected = Fixtures.ExpectedImage("jpeg_large.quarter.expected.npy");
        Assert.InRange(Fixtures.MaxDifference(expected, image), 0, 3);
    }

    [Theory]
    [InlineData(0, 320, 240)]     // no hint: full size
    [InlineData(240, 320, 240)]   // nothing smaller keeps 240
    [InlineData(120, 160, 120)]   // 1/2
    [InlineData(30, 40, 30)]      // 1/8
    [InlineData(10, 40, 30)]      // never below the smallest factor
    [InlineData(1000, 320, 240)]  // never upscale
    public void Jpeg_scale_is_the_smallest_that_keeps_the_smaller_side(int maxSide, int width, int height)
    {
        var image = ImageDecoder.Decode(Fixtures.Bytes("jpeg_large.jpg"), maxSide);
        Assert.Equal((width, height), (image.Width, image.Height));
    }

    [Fact]
    public void Jpeg_scale_may_use_non_power_of_two_factors()
    {
        // 1/4 gives 60 < 61; the next factor up, 3/8, gives 90.
        var image = ImageDecoder.Decode(Fixtures.Bytes("jpeg_large.jpg"), maxSide: 61);
        Assert.Equal((120, 90), (image.Width, image.Height));
    }

    [Theory]
    [InlineData("png_rgb8")]
    [InlineData("png_rgba8")]
    [InlineData("png_gray8")]
    [InlineData("png_gray_alpha8")]
    [InlineData("png_gray1")]
    [InlineData("png_palette_trns")]
    [InlineData("png_rgb16")]
    [InlineData("png_rgba16")]
    [InlineData("tiff_rgb")]
    [InlineData("tiff_gray")]
    public void Lossless_formats_decode_exactly(string name)
    {
        string file = name + (name.StartsWith("tiff") ? ".tif" : ".png");
        var image = ImageDecoder.Decode(Fixtures.Bytes(file));
        var expected = Fixtures.ExpectedImage(name + ".expected.npy");
        Assert.Equal(expected.Pixels, image.Pixels);
    }

    [Fact]
    public void PngEncoder_output_decodes_to_the_same_pixels()
    {
        var rng = new Random(7);
        var original = new RgbImage(37, 21);
        rng.NextBytes(original.Pixels);
        var decoded = ImageDecoder.Decode(PngEncoder.Encode(original));
        Assert.Equal(original.Pixels, decoded.Pixels);

        var gray = new byte[37 * 21];
        rng.NextBytes(gray);
        var decodedGray = ImageDecoder.Decode(PngEncoder.EncodeGray(gray, 37, 21));
        for (int i = 0; i < gray.Length; i++)
            Assert.Equal((gray[i], gray[i], gray[i]), (decodedGray.Pixels[3 * i], decodedGray.Pixels[3 * i + 1], decodedGray.Pixels[3 * i + 2]));
    }

    [Fact]
    public void PIL_reads_PngEncoder_output()
    {
        var image = new RgbImage(5, 3);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)(i * 17);
        string path = Path.Combine(Path.GetTempPath(), $"batchxai-png-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, PngEncoder.Encode(image));
        try
        {
            string sum = PythonReference.Run(
                "import sys, numpy as np; from PIL import Image; a = np.asarray(Image.open(sys.argv[1]).convert('RGB'));" +
                "print(a.shape[1], a.shape[0], ','.join(str(v) for v in a.flatten()))", path);
            Assert.Equal($"5 3 {string.Join(',', image.Pixels)}", sum);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
