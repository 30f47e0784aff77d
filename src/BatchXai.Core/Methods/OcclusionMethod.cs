using BatchXai.Core.Options;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// Occlusion (Zeiler &amp; Fergus 2014; the review's perturbation benchmark): slide a patch over
/// the input, replace it (all channels) by the baseline's pixels, and record the drop
/// S_c(x) − S_c(occluded x). A pixel's map value is the mean drop over the windows covering it
/// (Captum's convention), so with stride = patch it is its own window's drop. Windows run at
/// stride steps and always reach the far edges. Occluded copies go through forward passes in chunks.
/// </summary>
public sealed class OcclusionMethod(int patch = OcclusionMethod.DefaultPatch, int stride = OcclusionMethod.DefaultStride, BaselineKind baseline = BaselineKind.Black) : IExplanationMethod
{
    public const int DefaultPatch = 16, DefaultStride = 8;
    /// <summary>Occluded copies per forward call: large enough to keep the runtime busy, small enough to stay in cache-friendly memory.</summary>
    private const int Chunk = 64;

    public static readonly IntOption Patch = new("occlusion-patch", "square patch side in input pixels", DefaultPatch, 1, 4096);
    public static readonly IntOption Stride = new("occlusion-stride", "patch step in input pixels", DefaultStride, 1, 4096);
    public static readonly ChoiceOption<BaselineKind> Fill = new("occlusion-baseline", "what the patch shows", BaselineKind.Black);

    public static readonly MethodDescriptor Descriptor = new("occlusion", "score drop when a sliding patch is replaced by the baseline; one forward pass per window",
        [Patch, Stride, Fill], o => new OcclusionMethod(o.Get(Patch), o.Get(Stride), o.Get(Fill)))
        { Signed = true };

    public string Name => "occlusion";

    /// <summary>Top-left corners along an axis of length n: 0, stride, … and n − patch.</summary>
    public static int[] Offsets(int n, int patch, int stride)
    {
        var offsets = new List<int>();
        for (int o = 0; o + patch < n; o += stride) offsets.Add(o);
        offsets.Add(Math.Max(0, n - patch));
        return [.. offsets.Distinct()];
    }

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireScores(Name);
        int size = geometry.SampleSize, classes = request.Head.Classes;
        int ph = Math.Min(patch, geometry.Height), pw = Math.Min(patch, geometry.Width);
        var ys = Offsets(geometry.Height, ph, stride);
        var xs = Offsets(geometry.Width, pw, stride);
        int windows = ys.Length * xs.Length;
        var copies = new float[Chunk * size];
        var logits = new float[Chunk * classes];
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size);
            var fill = Baseline.For(baseline, x, geometry);
            int c = request.TargetClasses[b];
            // Copy 0 of the first chunk is x itself: S_c(x) from the same passes as the occluded scores.
            var drops = new double[windows];
            double original = 0;
            for (int first = -1; first < windows; first += Chunk)
            {
                int count = Math.Min(Chunk, windows - first);
                for (int i = 0; i < count; i++)
                {
                    var copy = copies.AsSpan(i * size, size);
                    x.CopyTo(copy);
                    int w = first + i;
                    if (w >= 0) Occlude(copy, fill, geometry, ys[w / xs.Length], xs[w % xs.Length], ph, pw);
                }
                engine.Score(copies.AsMemory(0, count * size), count, logits.AsSpan(0, count * classes));
                for (int i = 0; i < count; i++)
                {
                    if (first + i < 0) original = logits[i * classes + c];
                    else drops[first + i] = original - logits[i * classes + c];
                }
            }
            maps[b] = Spread(drops, ys, xs, ph, pw, geometry.Height, geometry.Width);
        }
        return maps;
    }

    private static void Occlude(Span<float> copy, float[] fill, InputGeometry g, int top, int left, int ph, int pw)
    {
        for (int ch = 0; ch < g.Channels; ch++)
            for (int y = top; y < top + ph; y++)
                for (int x = left; x < left + pw; x++)
                {
                    int i = g.IndexOf(ch, y, x);
                    copy[i] = fill[i];
                }
    }

    /// <summary>Each pixel: the mean drop of the windows that cover it.</summary>
    private static ExplanationMap Spread(double[] drops, int[] ys, int[] xs, int ph, int pw, int height, int width)
    {
        var sum = new double[height * width];
        var count = new int[height * width];
        for (int wy = 0; wy < ys.Length; wy++)
            for (int wx = 0; wx < xs.Length; wx++)
            {
                double drop = drops[wy * xs.Length + wx];
                for (int y = ys[wy]; y < ys[wy] + ph; y++)
                    for (int x = xs[wx]; x < xs[wx] + pw; x++)
                    {
                        sum[y * width + x] += drop;
                        count[y * width + x]++;
                    }
            }
        var map = new ExplanationMap(height, width);
        for (int p = 0; p < sum.Length; p++) map.Values[p] = (float)(sum[p] / count[p]);
        return map;
    }
}
