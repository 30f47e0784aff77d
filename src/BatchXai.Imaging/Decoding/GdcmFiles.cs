namespace BatchXai.Imaging;

/// <summary>GDCM's C# binding reads files only: bytes go through a private temporary file, deleted after use.</summary>
internal static class GdcmFiles
{
    public static T Read<T>(ReadOnlySpan<byte> data, Func<string, T> read)
    {
        var path = Path.Combine(Path.GetTempPath(), $"batchxai-dicom-{Guid.NewGuid():N}.dcm");
        try
        {
            File.WriteAllBytes(path, data.ToArray());
            return read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
