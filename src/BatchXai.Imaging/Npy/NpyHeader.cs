using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BatchXai.Imaging;

/// <summary>
/// The .npy header (numpy.lib.format): magic "\x93NUMPY", version, header length, then a Python
/// dict literal padded with spaces and a newline so the data starts on a 64-byte boundary.
/// </summary>
internal static partial class NpyHeader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int Alignment = 64;

    /// <summary>numpy ≥ 1.24 leaves room for the first axis to grow to this many digits, so files can be appended in place.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>Version 1.0 header bytes, byte-identical to what numpy 1.24 writes for the same array.</summary>
    public static byte[] Build(NpyDType type, ReadOnlySpan<int> shape)
    {
        var dict = new StringBuilder()
            .Append("{'descr': '").Append(NpyDTypes.Descr(type)).Append("', 'fortran_order': False, 'shape': ")
            .Append(FormatShape(shape)).Append(", }");
        if (shape.Length > 0)
            dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);

        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;   // + version, length field, newline
        int padding = Alignment - unpadded % Alignment;
        dict.Append(' ', padding).Append('\n');
        if (dict.Length > ushort.MaxValue) throw new ArgumentException("shape too long for a version 1.0 .npy header");

        var header = new byte[Magic.Length + 4 + dict.Length];
        Magic.CopyTo(header);
        header[6] = 1;   // major version
        header[7] = 0;   // minor version
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)dict.Length);
        Encoding.ASCII.GetBytes(dict.ToString(), header.AsSpan(10));
        return header;
    }

    /// <summary>Python's repr of a tuple: (), (n,), (a, b).</summary>
    private static string FormatShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1) return $"({shape[0]},)";
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    public static (NpyDType Type, bool BigEndian, int[] Shape) Read(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[10];
        ReadExactly(stream, prefix, "header");
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidDataException("not a .npy file (bad magic)");
        int major = prefix[6];
        int length;
        Encoding encoding = Encoding.Latin1;
        switch (major)
        {
            case 1:
                length = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
                break;
            case 2 or 3:
                Span<byte> longLength = stackalloc byte[4];
                longLength[0] = prefix[8];
                longLength[1] = prefix[9];
                ReadExactly(stream, longLength[2..], "header length");
                length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(longLength));
                if (major == 3) encoding = Encoding.UTF8;
                break;
            default:
                throw new InvalidDataException($".npy version {major}.{prefix[7]} is not supported");
        }
        if (length > 1 << 20) throw new InvalidDataException($".npy header of {length} bytes is implausible");
        var text = new byte[length];
        ReadExactly(stream, text, "header");
        return ParseDict(encoding.GetString(text));
    }

    private static (NpyDType, bool, int[]) ParseDict(string dict)
    {
        var descr = DescrPattern().Match(dict);
        var fortran = FortranPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($".npy header is missing descr, fortran_order or shape: {dict.Trim()}");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException(".npy file is in Fortran order; only C order is supported");
        var (type, bigEndian) = NpyDTypes.Parse(descr.Groups[1].Value);
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                ? n
                : throw new InvalidDataException($".npy shape has an invalid dimension '{d}'"))
            .ToArray();
        return (type, bigEndian, dims);
    }

    internal static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) throw new InvalidDataException($"truncated .npy: {what} ends after {total} of {buffer.Length} bytes");
            total += n;
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
