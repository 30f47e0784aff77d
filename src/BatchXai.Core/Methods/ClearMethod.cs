using BatchXai.Core.Heads;
using BatchXai.Core.Maps;

namespace BatchXai.Core.Methods;

/// <summary>
/// CLEAR (Kumar et al.; CLEAR-DR eqs. 1–5): every class's response at the last layer projected
/// back to the input with deconvnet rules (<see cref="Gradients.IClassResponseProjector"/>),
/// giving the attentive response maps R(x|d); the dominant class map Ĉ(x) = argmax_d R(x|d); and
/// the dominant response map D(x) = R(x|Ĉ(x)), which is the map this method returns (ROIs, class
/// views and distributions are built on it), with R and Ĉ attached for the CLEAR outputs.
/// The HSV composite (H = palette(Ĉ), S = 1, V = D / max D) is drawn by the writer of the overlay.
/// </summary>
public sealed class ClearMethod : IExplanationMethod
{
    public const string MethodName = "clear";

    public string Name => MethodName;

    public bool NeedsClassResponses => true;

    public string? WhyUnsupported(HeadKind head) => head == HeadKind.GapLinear ? null
        : "clear needs each class's response at the last layer: a gap-linear head (Σ_k w_k^d A_k), or class kernels named by outputs.classMaps with head \"gap-linear\"";

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var projector = request.ClassResponses
            ?? throw new InvalidOperationException("clear needs the class responses' back-projection, which this model does not provide");
        var inputs = request.Inputs ?? throw new InvalidOperationException("clear needs the model inputs");
        var geometry = request.Geometry ?? throw new InvalidOperationException("clear needs the model input geometry");
        int classes = projector.Classes, size = geometry.SampleSize;
        var projected = projector.Project(inputs.AsMemory(0, request.Batch * size), request.Batch);
        var maps = new ExplanationMap[request.Batch];
        for (int b = 0; b < request.Batch; b++)
            maps[b] = Dominant(projected.AsSpan(b * classes * size, classes * size), classes, geometry);
        return maps;
    }

    /// <summary>
    /// R(x|d) for one image from its N input-space signals, then Ĉ and D.
    /// R is reduced over colour channels as max_c |R_c(x|d)| (the rule of vanilla saliency,
    /// Simonyan et al., used by this project's saliency too): the papers leave the reduction open,
    /// and after the deconvnet ReLUs have removed evidence against the class, the sign of the
    /// first layer's transposed convolution encodes a colour pattern, not support or opposition,
    /// so the response level is its magnitude; a signed channel sum would let the channels of one
    /// pattern cancel. R is not normalised per class before the argmax — Ĉ compares the classes'
    /// raw response levels, as eq. 3 does; V is D normalised by its maximum when drawn.
    /// </summary>
    public static ExplanationMap Dominant(ReadOnlySpan<float> signals, int classes, InputGeometry geometry)
    {
        int h = geometry.Height, w = geometry.Width, pixels = h * w, size = geometry.SampleSize;
        var responses = new float[classes * pixels];
        for (int d = 0; d < classes; d++)
        {
            var signal = signals.Slice(d * size, size);
            var response = responses.AsSpan(d * pixels, pixels);
            for (int y = 0, p = 0; y < h; y++)
                for (int x = 0; x < w; x++, p++)
                {
                    float level = 0f;
                    for (int c = 0; c < geometry.Channels; c++) level = Math.Max(level, Math.Abs(signal[geometry.IndexOf(c, y, x)]));
                    response[p] = level;
                }
        }

        var dominant = new int[pixels];
        var map = new ExplanationMap(h, w);
        for (int p = 0; p < pixels; p++)
        {
            int best = ClassResponseMaps.NoDominantClass;
            float level = 0f;
            for (int d = 0; d < classes; d++)
                if (responses[d * pixels + p] > level) (best, level) = (d, responses[d * pixels + p]);
            dominant[p] = best;
            map.Values[p] = level;
        }
        map.ClassResponses = new ClassResponseMaps(classes, h, w, responses, dominant);
        return map;
    }
}
