namespace BatchXai.Core.Methods;

/// <summary>
/// A request over chosen samples of another: sample j of the result is sample <c>samples[j]</c> of the source (features,
/// logits, class score maps and inputs copied), explained for <c>targets[j]</c>. A multi-label batch is explained this
/// way once per (image, finding), so every method, whatever it batches, gives one map per pair.
/// </summary>
public static class ExplanationRequestSamples
{
    public static ExplanationRequest ForSamples(this ExplanationRequest request, IReadOnlyList<int> samples, int[] targets)
    {
        if (samples.Count != targets.Length) throw new ArgumentException($"{samples.Count} samples for {targets.Length} targets", nameof(targets));
        var f = request.Features;
        int classes = request.Head.Classes;
        var features = new FeatureBatch(samples.Count, f.Channels, f.Height, f.Width, Gather(f.Values, f.SampleSize, samples));
        var classMaps = request.ClassScoreMaps is { } m
            ? new FeatureBatch(samples.Count, m.Channels, m.Height, m.Width, Gather(m.Values, m.SampleSize, samples))
            : null;
        return new ExplanationRequest(features, Gather(request.Logits, classes, samples), targets, request.Head, classMaps)
        {
            Inputs = request.Inputs is { } inputs && request.Geometry is { } g ? Gather(inputs, g.SampleSize, samples) : request.Inputs,
            Geometry = request.Geometry,
            Gradients = request.Gradients,
            ClassResponses = request.ClassResponses,
            Scores = request.Scores,
        };
    }

    private static float[] Gather(float[] source, int size, IReadOnlyList<int> samples)
    {
        var gathered = new float[samples.Count * size];
        for (int j = 0; j < samples.Count; j++) source.AsSpan(samples[j] * size, size).CopyTo(gathered.AsSpan(j * size));
        return gathered;
    }
}
