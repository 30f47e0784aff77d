namespace BatchXai.Core.Segmentation;

/// <summary>
/// A partition of an H×W image into <see cref="Count"/> segments: each pixel's segment label,
/// 0 … Count − 1, row-major. Labels are numbered in order of first appearance in raster order
/// unless a segmenter states otherwise.
/// </summary>
public sealed class Segments
{
    public Segments(int height, int width, int[] labels)
    {
        if (labels.Length != height * width) throw new ArgumentException($"{labels.Length} labels for a {height}x{width} image", nameof(labels));
        Height = height; Width = width; Labels = labels;
        Count = labels.Length == 0 ? 0 : labels.Max() + 1;
    }

    public int Height { get; }
    public int Width { get; }
    public int[] Labels { get; }
    public int Count { get; }

    /// <summary>Each segment's pixels (row-major indices), ascending.</summary>
    public int[][] PixelsOf()
    {
        var lists = Enumerable.Range(0, Count).Select(_ => new List<int>()).ToArray();
        for (int p = 0; p < Labels.Length; p++) lists[Labels[p]].Add(p);
        return [.. lists.Select(l => l.ToArray())];
    }

    /// <summary>A map with each segment's value painted on its pixels.</summary>
    public Maps.ExplanationMap Paint(IReadOnlyList<double> valuePerSegment)
    {
        var map = new Maps.ExplanationMap(Height, Width);
        for (int p = 0; p < Labels.Length; p++) map.Values[p] = (float)valuePerSegment[Labels[p]];
        return map;
    }

    /// <summary>Renumbers arbitrary non-negative labels 0 … k − 1 in order of first appearance (raster order).</summary>
    public static Segments Relabel(int height, int width, int[] raw)
    {
        var next = new Dictionary<int, int>();
        var labels = new int[raw.Length];
        for (int p = 0; p < raw.Length; p++)
        {
            if (!next.TryGetValue(raw[p], out int label)) next[raw[p]] = label = next.Count;
            labels[p] = label;
        }
        return new Segments(height, width, labels);
    }
}
