namespace BatchXai.Imaging;

/// <summary>
/// A VOI LUT (PS3.3 C.11.2.1.1): the first item of a file's VOI LUT Sequence (0028,3010), LUT
/// Descriptor (0028,3002) = [entries (0 means 65536), first value mapped, bits per entry] and LUT Data
/// (0028,3006). A modality value x maps to Data[clamp(x − first, 0, entries − 1)] (as pydicom's
/// apply_voi), then from the entry range 0 … 2^bits − 1 to display levels 0–255.
/// </summary>
public sealed record VoiLut(int FirstMapped, int Bits, ushort[] Data)
{
    /// <summary>Display level in [0, 255] of a modality value.</summary>
    public double Apply(double x)
    {
        double offset = Math.Clamp(x - FirstMapped, 0, Data.Length - 1);
        return Data[(int)offset] * 255.0 / ((1 << Bits) - 1);
    }

    /// <summary>From the descriptor's three values and the data's bytes; a malformed table throws naming the tag.</summary>
    public static VoiLut Of(ReadOnlySpan<byte> descriptor, ReadOnlySpan<byte> data, bool signedFirst, bool bigEndian)
    {
        if (descriptor.Length < 6) throw new ImageDecodeException($"DICOM LUT Descriptor (0028,3002) in VOI LUT Sequence (0028,3010) has {descriptor.Length} bytes, needs 6");
        ushort Word(ReadOnlySpan<byte> b, int i) => bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(b[(2 * i)..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]);
        int entries = Word(descriptor, 0) is var n && n == 0 ? 65536 : Word(descriptor, 0);
        int first = signedFirst ? (short)Word(descriptor, 1) : Word(descriptor, 1);
        int bits = Word(descriptor, 2);
        if (bits is not (8 or (>= 10 and <= 16)))
            throw new ImageDecodeException($"DICOM LUT Descriptor (0028,3002) in VOI LUT Sequence (0028,3010) gives {bits} bits per entry (8 or 10–16)");
        if (data.Length < 2 * entries)
            throw new ImageDecodeException($"DICOM LUT Data (0028,3006) in VOI LUT Sequence (0028,3010) holds {data.Length / 2} entries, its descriptor says {entries}");
        var table = new ushort[entries];
        for (int i = 0; i < entries; i++) table[i] = Word(data, i);
        return new VoiLut(first, bits, table);
    }
}
