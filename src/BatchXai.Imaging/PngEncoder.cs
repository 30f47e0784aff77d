using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Numerics.Tensors;

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
                    src[..channels].CopyTo(row.AsSpan(1));
                    // Each byte less the one a pixel to its left, modulo 256 (byte arithmetic wraps).
                    TensorPrimitives.Subtract(src[channels..], src[..^channels], row.AsSpan(1 + channels));
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
        var crc = new Crc32(); // PNG's CRC is zlib's CRC-32 (ISO-HDLC) over the chunk type and data
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc.GetCurrentHashAsUInt32());
        s.Write(len);
    }
}
