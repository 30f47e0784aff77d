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

    /// <summary>
    /// The fewest chunks of at most <c>size</c>, as equal as can be (33 at most 32 a call: 17 + 16,
    /// not 32 + 1): ONNX Runtime runs a one-sample call at a fraction of a full batch's per-sample rate.
    /// </summary>
    public static IEnumerable<(int Start, int Count)> Even(int count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int chunks = Math.Max(1, (count + size - 1) / size);
        return Of(count, Math.Max(1, (count + chunks - 1) / chunks));
    }
}
