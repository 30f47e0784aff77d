using BatchXai.Core.Maps;

namespace BatchXai.Core.Audit.Spray;

/// <summary>
/// A map as SpRAy compares it: averaged over square cells to <c>side×side</c> (area averaging, so a
/// small hot spot keeps its weight instead of falling between bilinear samples), negative values
/// set to zero and the result scaled to unit Euclidean length, so that maps of different scale
/// compare by where they put their weight: the distance of two grids is √(2 − 2 cos), √2 for maps
/// that share no weight whatever their shapes. (Dividing by the maximum instead makes maps with one
/// spot nearer to every other map than maps with several, and they become everyone's nearest
/// neighbours.) An all-zero map stays zero.
/// </summary>
public static class MapGrid
{
    public const int DefaultSide = 32;

    public static double[] Of(ExplanationMap map, int side = DefaultSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        var sum = new double[side * side];
        var area = new double[side * side];
        for (int y = 0; y < map.Height; y++)
        {
            int gy = (int)((long)y * side / map.Height);
            for (int x = 0; x < map.Width; x++)
            {
                int cell = gy * side + (int)((long)x * side / map.Width);
                float v = map.Values[y * map.Width + x];
                sum[cell] += float.IsFinite(v) && v > 0 ? v : 0;
                area[cell]++;
            }
        }
        double squares = 0;
        for (int i = 0; i < sum.Length; i++)
        {
            // A map smaller than the grid leaves cells without pixels: they stay zero.
            sum[i] = area[i] > 0 ? sum[i] / area[i] : 0;
            squares += sum[i] * sum[i];
        }
        if (squares > 0)
        {
            double norm = Math.Sqrt(squares);
            for (int i = 0; i < sum.Length; i++) sum[i] /= norm;
        }
        return sum;
    }
}
