using System.Buffers.Binary;
using System.IO.Compression;

namespace BatchXai.Imaging;

/// <summary>
/// Writes 8-bit RGB or grayscale PNGs. Managed (zlib from the BCL) so that writing overlays and
/// sample data needs no native library; decoding, which must cope with every PNG flavour, is
/// done by libspng.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(RgbImage image, CompressionLevel level = CompressionLevel.Fastest) =>
        Encode(image.Pixels, image.Width, image.Height, channels: 3, level);

    public static byte[] EncodeGray(ReadOnlySpan<byte> pixels, int width, int height, CompressionLevel level = CompressionLevel.Fastest) =>
        Encode(pixels, width, height, channels: 1, level);

    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, CompressionLevel level)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), "PNG encoder writes gray (1) or RGB (3)");
        int stride = width * channels;
        if (pixels.Length != stride * height)
            throw new ArgumentException($"expected {stride * height} bytes, got {pixels.Length}", nameof(pixels));

        using var output = new MemoryStream(pixels.Length / 2 + 1024);
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;                                  // bit depth
        ihdr[9] = (byte)(channels == 3 ? 2 : 0);      // colour type: truecolour or greyscale
        ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;      // deflate, adaptive filtering, no interlace
        WriteChunk(output, "IHDR"u8, ihdr);

        using (var idat = new MemoryStream(pixels.Length / 2 + 1024))
        {
            using (var z = new ZLibStream(idat, level, leaveOpen: true))
            {
                // Filter type 1 (Sub) per row: cheap and compresses smooth heatmaps well.
                var row = new byte[stride + 1];
                row[0] = 1;
                for (int y = 0; y < height; y++)
                {
                    var src = pixels.Slice(y * stride, stride);
                    for (int i = 0; i < channels; i++) row[1 + i] = src[i];
                    for (int i = channels; i < stride; i++) row[1 + i] = (byte)(src[i] - src[i - channels]);
                    z.Write(row);
                }
            }
            WriteChunk(output, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        }
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        s.Write(type);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    private static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var t = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[n] = c;
            }
            return t;
        }

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
