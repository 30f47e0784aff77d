using System.Globalization;

namespace BatchXai.Contracts;

/// <summary>
/// Each frame of a multi-frame DICOM file is an image of its own, keyed <c>file#frame</c>
/// (<c>scan.dcm#3</c>; zero-based, as the run option <c>--frame</c>). The one home of that key's
/// form: the coordinator writes such keys, workers, stores and the dashboard read them back. A
/// dataset file whose own name ends in <c>#digits</c> is therefore refused at enumeration.
/// </summary>
public static class FrameKeys
{
    /// <summary>Frame numbers longer than this are no frame suffix (a file named "x#12345678901").</summary>
    private const int MaxDigits = 7;

    public static string Of(string file, int frame) => string.Create(CultureInfo.InvariantCulture, $"{file}#{frame}");

    /// <summary>The dataset file and frame a key names; Frame is null for a key without a frame suffix.</summary>
    public static (string File, int? Frame) Split(string key)
    {
        int hash = key.LastIndexOf('#');
        int digits = key.Length - hash - 1;
        if (hash <= 0 || digits is < 1 or > MaxDigits) return (key, null);
        for (int i = hash + 1; i < key.Length; i++)
            if (!char.IsAsciiDigit(key[i])) return (key, null);
        return (key[..hash], int.Parse(key.AsSpan(hash + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>True when a dataset file's own name would read as a frame key.</summary>
    public static bool LooksLikeFrameKey(string fileKey) => Split(fileKey).Frame is not null;

    /// <summary>
    /// What identifies an image's content across runs (incremental runs skip content already
    /// explained): the file's SHA-256, and for a frame the frame number after it (the frames of one
    /// file share its bytes but not their pixels).
    /// </summary>
    public static string ContentId(string fileSha256, int? frame) =>
        frame is null ? fileSha256 : string.Create(CultureInfo.InvariantCulture, $"{fileSha256}#{frame}");
}
