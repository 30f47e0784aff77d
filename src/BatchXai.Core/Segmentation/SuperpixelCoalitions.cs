namespace BatchXai.Core.Segmentation;

/// <summary>
/// Scores coalitions of superpixels: a coalition z ∈ {0,1}^M shows the input where z_j = 1 and the
/// fill (baseline) where z_j = 0; S_c of every coalition comes from forward passes in chunks, never
/// one copy at a time.
/// </summary>
public sealed class SuperpixelCoalitions(float[] input, float[] fill, Segments superpixels, InputGeometry geometry, IScoreEngine engine, int classes, int targetClass)
{
    /// <summary>Copies per forward call: large enough to keep the runtime busy, small enough to keep memory bounded (as occlusion).</summary>
    private const int Chunk = 64;

    private readonly int[][] _pixels = superpixels.PixelsOf();

    public int Count => superpixels.Count;

    /// <summary>
    /// One map per image of the batch: its superpixels (<paramref name="options"/>), each painted with
    /// the value <paramref name="attribute"/> gives it from the image's coalitions (the image passed too, to seed draws).
    /// </summary>
    public static Maps.ExplanationMap[] Explain(Methods.ExplanationRequest request, string method, SuperpixelOptions options, Func<SuperpixelCoalitions, float[], double[]> attribute)
    {
        var (inputs, geometry, engine) = request.RequireScores(method);
        int size = geometry.SampleSize;
        var maps = new Maps.ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size).ToArray();
            var segments = options.Segment(x, geometry);
            var scorer = new SuperpixelCoalitions(x, Paths.Baseline.For(options.Fill, x, geometry), segments, geometry, engine, request.Head.Classes, request.TargetClasses[b]);
            maps[b] = segments.Paint(attribute(scorer, x));
        }
        return maps;
    }

    /// <summary>S_c of each coalition; <paramref name="coalitions"/> holds one row of M flags per coalition.</summary>
    public double[] Score(bool[][] coalitions)
    {
        int size = geometry.SampleSize, channels = geometry.Channels;
        var scores = new double[coalitions.Length];
        var copies = new float[Math.Min(Chunk, coalitions.Length) * size];
        var logits = new float[Math.Min(Chunk, coalitions.Length) * classes];
        for (int first = 0; first < coalitions.Length; first += Chunk)
        {
            int count = Math.Min(Chunk, coalitions.Length - first);
            for (int i = 0; i < count; i++)
            {
                var copy = copies.AsSpan(i * size, size);
                fill.CopyTo(copy);
                var z = coalitions[first + i];
                for (int j = 0; j < z.Length; j++)
                {
                    if (!z[j]) continue;
                    foreach (int p in _pixels[j])
                    {
                        int y = p / geometry.Width, x = p % geometry.Width;
                        for (int c = 0; c < channels; c++)
                        {
                            int e = geometry.IndexOf(c, y, x);
                            copy[e] = input[e];
                        }
                    }
                }
            }
            engine.Score(copies.AsMemory(0, count * size), count, logits.AsSpan(0, count * classes));
            for (int i = 0; i < count; i++) scores[first + i] = logits[i * classes + targetClass];
        }
        return scores;
    }
}
