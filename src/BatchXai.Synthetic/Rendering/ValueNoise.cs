namespace BatchXai.Synthetic.Rendering;

/// <summary>
/// Smooth 2-D value noise in [-1,1]: random values on a coarse lattice, interpolated with a
/// smoothstep. Gives the choroidal mottling of a fundus without any high-frequency content that
/// could be mistaken for a lesion.
/// </summary>
internal sealed class ValueNoise
{
    private readonly float[] _lattice;
    private readonly int _cells;
    private readonly double _cellSize;

    public ValueNoise(Random rng, int imageSize, double cellSize)
    {
        _cellSize = cellSize;
        _cells = (int)Math.Ceiling(imageSize / cellSize) + 2;
        _lattice = new float[_cells * _cells];
        for (int i = 0; i < _lattice.Length; i++) _lattice[i] = (float)(rng.NextDouble() * 2 - 1);
    }

    public float At(double x, double y)
    {
        double gx = x / _cellSize, gy = y / _cellSize;
        int ix = (int)gx, iy = (int)gy;
        float tx = Smooth((float)(gx - ix)), ty = Smooth((float)(gy - iy));
        float v00 = _lattice[iy * _cells + ix], v10 = _lattice[iy * _cells + ix + 1];
        float v01 = _lattice[(iy + 1) * _cells + ix], v11 = _lattice[(iy + 1) * _cells + ix + 1];
        float top = v00 + (v10 - v00) * tx, bottom = v01 + (v11 - v01) * tx;
        return top + (bottom - top) * ty;
    }

    private static float Smooth(float t) => t * t * (3 - 2 * t);
}
