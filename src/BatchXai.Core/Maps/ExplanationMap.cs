using System.Numerics.Tensors;
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

    /// <summary>
    /// Why this map cannot be stored — the first NaN or infinite value of the map or of CLEAR's class
    /// responses, with where it is — or null when every value is finite. A method that divides by a
    /// vanishing quantity or meets an overflow yields such values; stored, they would poison every
    /// statistic and class average, and SQLite refuses NaN outright.
    /// </summary>
    public string? WhyNotFinite()
    {
        for (int i = 0; i < Values.Length; i++)
            if (!float.IsFinite(Values[i]))
                return $"the map holds {Values[i]} at row {i / Width}, column {i % Width} of its {Height}x{Width} grid";
        if (ClassResponses is { } responses)
            for (int i = 0; i < responses.Responses.Length; i++)
                if (!float.IsFinite(responses.Responses[i]))
                    return $"class {i / (responses.Height * responses.Width)}'s response holds {responses.Responses[i]}";
        return null;
    }

    public float Max() => Values.Length == 0 ? 0f : System.Numerics.Tensors.TensorPrimitives.Max(Values);

    public float Mean() => System.Numerics.Tensors.TensorPrimitives.Sum(Values) / Values.Length;

    /// <summary>
    /// The map divided by its maximum, negative values clamped to 0. CLEAR's composite (V = D
    /// normalised, CLEAR-DR eq. 5) and the audit's mass shares use it; display, ROIs and class
    /// averages use <see cref="Normalized"/>. An all-zero or all-negative map normalises to zeros.
    /// </summary>
    public ExplanationMap NormalizedByMax()
    {
        float max = Max();
        var result = new float[Values.Length];
        if (max > 0f && float.IsFinite(max))
        {
            TensorPrimitives.Multiply(Values, 1f / max, result);
            TensorPrimitives.Max(result, 0f, result);
        }
        return new ExplanationMap(Height, Width, result);
    }

    /// <summary>The map's display scale (<see cref="MapScale.Of"/>): its 99.5th percentile, of |value| when signed.</summary>
    public float Scale(bool signed) => MapScale.Of(Values, signed);

    /// <summary>
    /// The map divided by <paramref name="scale"/> (default: <see cref="Scale"/>) and clipped to
    /// [0, 1], or to [−1, 1] when <paramref name="signed"/>: one hot pixel above the scale saturates
    /// instead of shrinking every other value. A map with no positive scale normalises to zeros.
    /// </summary>
    public ExplanationMap Normalized(bool signed, float? scale = null)
    {
        float s = scale ?? Scale(signed);
        var result = new float[Values.Length];
        if (s > 0f && float.IsFinite(s))
        {
            TensorPrimitives.Multiply(Values, 1f / s, result);
            TensorPrimitives.Max(result, signed ? -1f : 0f, result);
            TensorPrimitives.Min(result, 1f, result);
        }
        return new ExplanationMap(Height, Width, result);
    }
}
