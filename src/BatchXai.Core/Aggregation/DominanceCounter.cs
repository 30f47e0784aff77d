using BatchXai.Core.Audit;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Aggregation;

/// <summary>
/// CLEAR's class view, per class of images: how often each class dominates their CLEAR maps.
/// Streams the images' dominant class maps Ĉ (with the dominant response D) and counts, for
/// every class d, the field-of-view pixels whose Ĉ is d, the attentive ones among them (D at or
/// above the display threshold, 20% of the image's maximum), and the images where d dominates
/// most attentive pixels.
/// </summary>
public sealed class DominanceCounter(int classIndex, int classes, float attentiveThreshold = RoiStats.DefaultThreshold)
{
    private readonly long[] _fov = new long[classes], _attentive = new long[classes];
    private readonly int[] _imagesDominated = new int[classes];
    private long _fovTotal, _attentiveTotal;

    public int ClassIndex => classIndex;
    public int ImageCount { get; private set; }

    /// <param name="dominantClass">Ĉ per pixel of an H×W image (negative: no class responds).</param>
    /// <param name="dominantResponse">D per pixel, same size.</param>
    public void Add(ReadOnlySpan<int> dominantClass, ExplanationMap dominantResponse) =>
        Add(Count(dominantClass, dominantResponse, classes, attentiveThreshold));

    /// <summary>
    /// One image's counts, the per-pixel half of <see cref="Add(ReadOnlySpan{int}, ExplanationMap)"/>: needs no counter,
    /// so several images can be counted at once.
    /// </summary>
    public static ImageDominance Count(ReadOnlySpan<int> dominantClass, ExplanationMap dominantResponse, int classes,
        float attentiveThreshold = RoiStats.DefaultThreshold)
    {
        if (dominantClass.Length != dominantResponse.Values.Length)
            throw new ArgumentException($"{dominantClass.Length} dominant classes for a {dominantResponse.Height}x{dominantResponse.Width} response map");
        var image = new ImageDominance(new long[classes], new long[classes]);
        var fov = FieldOfView.InscribedIn(dominantResponse.Height, dominantResponse.Width);
        float cut = attentiveThreshold * dominantResponse.Max();
        for (int y = 0, p = 0; y < dominantResponse.Height; y++)
            for (int x = 0; x < dominantResponse.Width; x++, p++)
            {
                if (!fov.Contains(x, y)) continue;
                image.FovTotal++;
                int d = dominantClass[p];
                if (d < 0 || d >= classes) continue;
                image.Fov[d]++;
                if (cut > 0 && dominantResponse.Values[p] >= cut) { image.Attentive[d]++; image.AttentiveTotal++; }
            }
        return image;
    }

    /// <summary>Adds one image counted by <see cref="Count"/> with this counter's classes and threshold.</summary>
    public void Add(ImageDominance image)
    {
        if (image.Fov.Length != classes) throw new ArgumentException($"an image counted over {image.Fov.Length} classes for a counter of {classes}", nameof(image));
        for (int d = 0; d < classes; d++) { _fov[d] += image.Fov[d]; _attentive[d] += image.Attentive[d]; }
        _fovTotal += image.FovTotal;
        _attentiveTotal += image.AttentiveTotal;
        long most = image.Attentive.Max();
        if (most > 0) _imagesDominated[Array.IndexOf(image.Attentive, most)]++;
        ImageCount++;
    }

    /// <summary>One entry per class d: share of FOV pixels, share of attentive FOV pixels, images it dominates.</summary>
    public IReadOnlyList<ClassDominance> Build() => Enumerable.Range(0, classes).Select(d => new ClassDominance(
        classIndex, d, ImageCount,
        _fovTotal == 0 ? 0 : (double)_fov[d] / _fovTotal,
        _attentiveTotal == 0 ? 0 : (double)_attentive[d] / _attentiveTotal,
        _imagesDominated[d])).ToList();
}

/// <summary>How much class <paramref name="DominantClass"/> dominates the CLEAR maps of the images of class <paramref name="ClassIndex"/>.</summary>
public sealed record ClassDominance(int ClassIndex, int DominantClass, int ImageCount, double FovPixelShare, double AttentivePixelShare, int ImagesDominated);

/// <summary>One image's dominance counts (<see cref="DominanceCounter.Count"/>): per class d, its field-of-view pixels and the attentive ones among them.</summary>
public sealed class ImageDominance(long[] fov, long[] attentive)
{
    public long[] Fov { get; } = fov;
    public long[] Attentive { get; } = attentive;
    public long FovTotal { get; set; }
    public long AttentiveTotal { get; set; }
}
