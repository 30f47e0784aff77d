namespace BatchXai.Core.Segmentation;

/// <summary>
/// XRAI's region selection (Kapishnikov et al. 2019, PAIR saliency's "full" algorithm): repeatedly
/// take the region with the highest gain — the mean attribution over its pixels not yet covered —
/// dropping regions that would add fewer than <c>minNewPixels</c>; every pixel's value is the gain of
/// the region that first covered it; pixels no region covers get their own mean attribution. Gains
/// are kept up to date incrementally (a pixel covered updates only the regions holding it), so a step
/// costs one scan of the regions rather than of every region's pixels. Ties go to the earlier region.
/// </summary>
public static class GreedyRegionRanking
{
    public const int DefaultMinNewPixels = 50;

    public static float[] Rank(IReadOnlyList<int[]> regions, ReadOnlySpan<float> attribution, int minNewPixels = DefaultMinNewPixels)
    {
        int n = attribution.Length, count = regions.Count;
        var uncoveredCount = new int[count];
        var uncoveredSum = new double[count];
        var holders = new List<int>[n];
        for (int r = 0; r < count; r++)
            foreach (int p in regions[r])
            {
                uncoveredCount[r]++;
                uncoveredSum[r] += attribution[p];
                (holders[p] ??= []).Add(r);
            }
        var alive = Enumerable.Repeat(true, count).ToArray();
        var covered = new bool[n];
        var result = new float[n];
        while (true)
        {
            int best = -1;
            double bestGain = double.NegativeInfinity;
            for (int r = 0; r < count; r++)
            {
                if (!alive[r]) continue;
                if (uncoveredCount[r] < minNewPixels) { alive[r] = false; continue; }
                double gain = uncoveredSum[r] / uncoveredCount[r];
                if (gain > bestGain) { bestGain = gain; best = r; }
            }
            if (best < 0) break;
            alive[best] = false;
            foreach (int p in regions[best])
            {
                if (covered[p]) continue;
                covered[p] = true;
                result[p] = (float)bestGain;
                foreach (int r in holders[p]!) { uncoveredCount[r]--; uncoveredSum[r] -= attribution[p]; }
            }
        }
        double restSum = 0;
        int rest = 0;
        for (int p = 0; p < n; p++) if (!covered[p]) { restSum += attribution[p]; rest++; }
        for (int p = 0; p < n; p++) if (!covered[p]) result[p] = (float)(restSum / rest);
        return result;
    }
}
