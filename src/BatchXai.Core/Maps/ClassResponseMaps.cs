namespace BatchXai.Core.Maps;

/// <summary>
/// CLEAR's per-class outputs for one image (CLEAR-DR eqs. 2–3): the attentive response maps
/// R(x|d) of every class d, N × Height × Width row-major, and the dominant class map
/// Ĉ(x) = argmax_d R(x|d), with <see cref="NoDominantClass"/> where every class's response is 0.
/// </summary>
public sealed class ClassResponseMaps
{
    /// <summary>Ĉ where no class responds at all (D = 0): no class can be said to dominate there.</summary>
    public const int NoDominantClass = -1;

    public ClassResponseMaps(int classes, int height, int width, float[] responses, int[] dominantClass)
    {
        if (responses.Length != classes * height * width)
            throw new ArgumentException($"{classes}x{height}x{width} responses need {classes * height * width} values, got {responses.Length}", nameof(responses));
        if (dominantClass.Length != height * width)
            throw new ArgumentException($"a {height}x{width} dominant class map needs {height * width} values, got {dominantClass.Length}", nameof(dominantClass));
        Classes = classes; Height = height; Width = width; Responses = responses; DominantClass = dominantClass;
    }

    public int Classes { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>R(x|d), class after class.</summary>
    public float[] Responses { get; }

    /// <summary>Ĉ(x) per pixel, or <see cref="NoDominantClass"/>.</summary>
    public int[] DominantClass { get; }

    public ReadOnlySpan<float> Response(int d) => Responses.AsSpan(d * Height * Width, Height * Width);
}
