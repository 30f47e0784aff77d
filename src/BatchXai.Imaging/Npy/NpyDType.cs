namespace BatchXai.Imaging;

/// <summary>Element types this project reads and writes in .npy files.</summary>
public enum NpyDType
{
    Float32,
    Float16,
    Float64,
    UInt8,
    Int32,
}

internal static class NpyDTypes
{
    /// <summary>numpy's little-endian descr string ('|u1' has no byte order).</summary>
    public static string Descr(NpyDType type) => type switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float16 => "<f2",
        NpyDType.Float64 => "<f8",
        NpyDType.UInt8 => "|u1",
        NpyDType.Int32 => "<i4",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static int Size(NpyDType type) => type switch
    {
        NpyDType.Float16 => 2,
        NpyDType.Float64 => 8,
        NpyDType.UInt8 => 1,
        _ => 4,
    };

    /// <summary>Parses a descr such as '&lt;f4', '&gt;i4', '|u1'; the flag says whether bytes need swapping.</summary>
    public static (NpyDType Type, bool BigEndian) Parse(string descr)
    {
        if (descr.Length < 2) throw new InvalidDataException($".npy descr '{descr}' is not a simple dtype");
        char order = descr[0];
        string kind = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        bool bigEndian = order == '>';
        NpyDType type = kind switch
        {
            "f4" => NpyDType.Float32,
            "f2" => NpyDType.Float16,
            "f8" => NpyDType.Float64,
            "u1" => NpyDType.UInt8,
            "i4" => NpyDType.Int32,
            _ => throw new InvalidDataException($".npy dtype '{descr}' is not supported (float16/32/64, uint8, int32)"),
        };
        return (type, bigEndian && Size(type) > 1);
    }
}
