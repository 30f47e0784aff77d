namespace BatchXai.Core.Segmentation;

/// <summary>
/// Candidate regions as pixel lists: every segment of every segmentation, in segmentation order then
/// label order (PAIR saliency's _unpack_segs_to_masks), each dilated by a disk of radius r
/// (skimage's disk: offsets with dy² + dx² ≤ r²) so regions overlap across edges.
/// </summary>
public static class RegionMasks
{
    public static List<int[]> Dilated(IEnumerable<Segments> segmentations, int radius)
    {
        var masks = new List<int[]>();
        var offsets = new List<(int Dy, int Dx)>();
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
                if (dy * dy + dx * dx <= radius * radius) offsets.Add((dy, dx));
        foreach (var segments in segmentations)
        {
            int height = segments.Height, width = segments.Width;
            var stamp = new int[height * width];
            var regionPixels = segments.PixelsOf();
            for (int s = 0; s < regionPixels.Length; s++)
            {
                var members = new List<int>();
                foreach (int p in regionPixels[s])
                {
                    int y = p / width, x = p % width;
                    foreach (var (dy, dx) in offsets)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                        int q = yy * width + xx;
                        if (stamp[q] == s + 1) continue;
                        stamp[q] = s + 1;
                        members.Add(q);
                    }
                }
                members.Sort();
                masks.Add([.. members]);
            }
        }
        return masks;
    }
}
