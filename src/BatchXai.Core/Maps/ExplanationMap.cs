namespace BatchXai.Core.Maps;

/// <summary>
/// One explanation map for one image: a Height×Width grid of relevance values, row-major.
/// Maps come at the resolution the method produces them (feature-map size for CAM/CRM,
/// input size for gradient methods); <see cref="BilinearUpsampler"/> brings them to input size.
/// </summary>
public sealed class ExplanationMap
{
    public ExplanationMap(int height, int width, float[]? values = null)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"map size must be positive, got {height}x{width}");
        Height = height;
        Width = width;
        Values = values ?? new float[height * width];
        if (Values.Length != height * width)
            throw new ArgumentException($"map {height}x{width} needs {height * width} values, got {Values.Length}", nameof(values));
    }

    public int Height { get; }
    public int Width { get; }
    public float[] Values { get; }

    /// <summary>
    /// For path methods (Integrated Gradients) and DeepLIFT: Σ attributions − (S_c(x) − S_c(x')), how
    /// far the map is from the completeness (summation-to-delta) axiom; for LRP the conservation gap
    /// Σ relevance − S_c(x) (x' = 0 there). Null for other methods.
    /// </summary>
    public double? CompletenessDelta { get; set; }

    /// <summary>For Integrated Gradients refined to a completeness target: the trapezoid steps the path took. Null otherwise.</summary>
    public int? PathSteps { get; set; }

    /// <summary>
    /// For CLEAR: every class's attentive response map and the dominant class per pixel (this
    /// map's values are then the dominant response). Null for other methods.
    /// </summary>
    public ClassResponseMaps? ClassResponses { get; set; }

    public float this[int y, int x]
    {
        get => Values[y * Width + x];
        set => Values[y * Width + x] = value;
    }

    public float Max() => Values.Length == 0 ? 0f : System.Numerics.Tensors.TensorPrimitives.Max(Values);

    public float Mean() => System.Numerics.Tensors.TensorPrimitives.Sum(Values) / Values.Length;

    /// <summary>
    /// The map divided by its maximum (CRM paper §4.2: "normalised by the maximum"), negative
    /// values clamped to 0 so signed maps display their positive evidence. An all-zero or
    /// all-negative map normalises to zeros rather than NaN.
    /// </summary>
    public ExplanationMap NormalizedByMax()
    {
        float max = Max();
        var result = new float[Values.Length];
        if (max > 0f && float.IsFinite(max))
        {
            float inv = 1f / max;
            for (int i = 0; i < result.Length; i++) result[i] = Math.Max(0f, Values[i] * inv);
        }
        return new ExplanationMap(Height, Width, result);
    }
}
