namespace BatchXai.Onnx.Runtime;

/// <summary>
/// The one chunking rule for session runs: <c>count</c> samples laid out one after another go
/// through a session at most <c>size</c> at a time (the largest batch it was built or tuned for),
/// as consecutive (Start, Count) ranges covering 0..count.
/// </summary>
public static class BatchChunks
{
    public static IEnumerable<(int Start, int Count)> Of(int count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (int start = 0; start < count; start += size) yield return (start, Math.Min(size, count - start));
    }
}
