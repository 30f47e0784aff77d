namespace BatchXai.Core.Audit;

/// <summary>Connected-region operations on row-major binary masks (4-connectivity), iterative so large frames cannot overflow the stack.</summary>
internal static class BinaryRegions
{
    /// <summary>Clears every set pixel outside the largest connected region; returns that region's size (0 for an empty mask).</summary>
    public static int KeepLargest(bool[] mask, int height, int width)
    {
        var label = new int[mask.Length];
        var queue = new int[mask.Length];
        int best = 0, bestLabel = 0, next = 0;
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || label[start] != 0) continue;
            int size = Flood(mask, label, ++next, queue, [start], height, width);
            if (size > best) (best, bestLabel) = (size, next);
        }
        for (int i = 0; i < mask.Length; i++) mask[i] = bestLabel != 0 && label[i] == bestLabel;
        return best;
    }

    /// <summary>Sets the unset pixels that are not connected to the frame's edge through unset pixels (holes).</summary>
    public static void FillHoles(bool[] mask, int height, int width)
    {
        var background = new bool[mask.Length];
        for (int i = 0; i < mask.Length; i++) background[i] = !mask[i];
        var edge = new List<int>();
        for (int x = 0; x < width; x++) { edge.Add(x); edge.Add((height - 1) * width + x); }
        for (int y = 0; y < height; y++) { edge.Add(y * width); edge.Add(y * width + width - 1); }
        var reached = new int[mask.Length];
        Flood(background, reached, 1, new int[mask.Length], edge.Where(i => background[i]).Distinct().ToArray(), height, width);
        for (int i = 0; i < mask.Length; i++) mask[i] |= reached[i] == 0;
    }

    /// <summary>Labels with <paramref name="value"/> the pixels of <paramref name="passable"/> connected to the seeds; returns how many.</summary>
    private static int Flood(bool[] passable, int[] label, int value, int[] queue, int[] seeds, int height, int width)
    {
        int head = 0, tail = 0;
        foreach (int s in seeds)
        {
            if (!passable[s] || label[s] != 0) continue;
            label[s] = value;
            queue[tail++] = s;
        }
        while (head < tail)
        {
            int i = queue[head++], x = i % width, y = i / width;
            if (x > 0) Visit(i - 1);
            if (x < width - 1) Visit(i + 1);
            if (y > 0) Visit(i - width);
            if (y < height - 1) Visit(i + width);
        }
        return tail;

        void Visit(int j)
        {
            if (!passable[j] || label[j] != 0) return;
            label[j] = value;
            queue[tail++] = j;
        }
    }
}
