using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

public class ImageDecodeFailureTests
{
    [Fact]
    public void Empty_file_is_rejected()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(ReadOnlySpan<byte>.Empty));
        Assert.Equal("empty file (0 bytes)", e.Reason);
    }

    [Fact]
    public void Gif_is_named_as_unsupported()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("GIF89a\x01\0\x01\0"u8));
        Assert.Equal("unsupported format (first bytes 47 49 46 38: GIF)", e.Reason);
    }

    [Fact]
    public void Random_bytes_are_rejected()
    {
        var rng = new Random(1);
        for (int n = 0; n < 50; n++)
        {
            var data = new byte[rng.Next(1, 2000)];
            rng.NextBytes(data);
            if (data[0] is 0xFF or 0x89 or (byte)'I' or (byte)'M') data[0] = 0;   // keep it off the known signatures
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data));
            Assert.StartsWith("unsupported format (first bytes", e.Reason);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF }, "JPEG")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "PNG")]
    [InlineData(new byte[] { (byte)'I', (byte)'I', (byte)'*', 0 }, "TIFF")]
    [InlineData(new byte[] { (byte)'M', (byte)'M', 0, (byte)'*' }, "TIFF")]
    public void Random_bytes_behind_a_valid_signature_fail_with_a_reason(byte[] signature, string format)
    {
        var rng = new Random(signature.Length);
        for (int n = 0; n < 200; n++)
        {
            var data = new byte[signature.Length + rng.Next(0, 600)];
            rng.NextBytes(data);
            signature.CopyTo(data, 0);
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data));
            Assert.Contains(format, e.Reason);
        }
    }

    [Theory]
    [InlineData("jpeg_baseline.jpg")]
    [InlineData("jpeg_progressive.jpg")]
    [InlineData("png_rgb8.png")]
    [InlineData("png_rgba16.png")]
    [InlineData("tiff_rgb.tif")]
    public void Every_truncation_fails_with_a_reason(string name)
    {
        var full = Fixtures.Bytes(name);
        // Cutting anywhere before the image data ends must not yield an image (trailer-only cuts may).
        for (int length = 1; length < full.Length * 9 / 10; length += Math.Max(1, full.Length / 97))
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(full.AsSpan(0, length)));
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
        }
    }

    [Theory]
    [InlineData("jpeg_baseline.jpg", "truncated JPEG: ")]
    [InlineData("jpeg_progressive.jpg", "truncated JPEG: ")]
    [InlineData("png_rgb8.png", "truncated PNG: ")]
    public void Truncation_says_truncated(string name, string prefix)
    {
        var full = Fixtures.Bytes(name);
        foreach (double fraction in new[] { 0.02, 0.1, 0.3, 0.5, 0.8, 0.95 })
        {
            int length = (int)(full.Length * fraction);
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(full.AsSpan(0, length)));
            Assert.StartsWith(prefix, e.Reason);
        }
    }

    [Fact]
    public void Png_with_a_damaged_critical_chunk_is_corrupt()
    {
        var data = Fixtures.Bytes("png_rgb8.png");
        data[^20] ^= 0x55;   // inside IDAT: its CRC no longer matches
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data));
        Assert.StartsWith("corrupt PNG: ", e.Reason);
    }
}
