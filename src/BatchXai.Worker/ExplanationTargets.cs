using System.Text.Json;
using BatchXai.Contracts;

namespace BatchXai.Worker;

/// <summary>
/// What a batch is explained for: pairs (image, class), pair j being image <see cref="Images"/>[j] explained for class
/// <see cref="Classes"/>[j]. A single-label head gives one pair per image (the predicted class, the label, or the named
/// class). A multi-label head (one sigmoid per finding) gives one pair per finding the target asks for:
/// <list type="bullet">
/// <item>predicted: every finding whose probability is at least --finding-threshold; an image with none gets its most
/// probable finding, so every image has its maps and its row;</item>
/// <item>label: the image's labelled findings; an image without finding labels, or labelled with none, as predicted;</item>
/// <item>a named finding: that finding for every image.</item>
/// </list>
/// </summary>
public sealed record ExplanationTargets(int[] Images, int[] Classes)
{
    /// <summary>One pair per image, in image order: the batch's request serves as it is.</summary>
    public bool OnePerImage(int images) => Images.Length == images && Images.Select((image, j) => image == j).All(x => x);

    /// <param name="probabilities">images × N, softmax or sigmoid as the head has it.</param>
    /// <param name="predicted">The top-scoring class of each image.</param>
    public static ExplanationTargets For(RunSettings settings, IReadOnlyList<ImageRef> images, float[] probabilities, int[] predicted,
        int classes, bool multiLabel, double threshold)
    {
        var pairImages = new List<int>();
        var pairClasses = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            foreach (var c in ClassesOf(settings, images[i], probabilities.AsSpan(i * classes, classes), predicted[i], multiLabel, threshold))
            {
                pairImages.Add(i);
                pairClasses.Add(c);
            }
        }
        return new ExplanationTargets([.. pairImages], [.. pairClasses]);
    }

    private static int[] ClassesOf(RunSettings settings, ImageRef image, ReadOnlySpan<float> probabilities, int predicted, bool multiLabel, double threshold)
    {
        if (settings.Target == TargetMode.Finding && settings.TargetFinding is int finding) return [finding];
        if (!multiLabel) return [settings.Target == TargetMode.Label && image.Label is int label ? label : predicted];
        if (settings.Target == TargetMode.Label && image.Findings is { Count: > 0 } labelled) return [.. labelled.Distinct().Order()];
        var present = Present(probabilities, threshold);
        return present.Length > 0 ? present : [predicted];
    }

    /// <summary>The findings whose probability is at least <paramref name="threshold"/>, in class order.</summary>
    public static int[] Present(ReadOnlySpan<float> probabilities, double threshold)
    {
        var present = new List<int>();
        for (int c = 0; c < probabilities.Length; c++)
            if (probabilities[c] >= threshold) present.Add(c);
        return [.. present];
    }

    /// <summary>Class indices as the row stores them (a JSON array).</summary>
    public static string Json(IEnumerable<int> findings) => JsonSerializer.Serialize(findings.ToArray());
}
