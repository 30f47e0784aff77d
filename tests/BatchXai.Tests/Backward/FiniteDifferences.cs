using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;

namespace BatchXai.Tests.Backward;

/// <summary>
/// Central finite differences of f(x) = seed · logits(x) for one sample, all perturbed copies
/// evaluated in one batched run of the same model, in float64 (via GraphEditor.ToDoublePrecision)
/// or float32. Compared with the builder's gradient at the chosen elements.
/// </summary>
public sealed class FiniteDifferences(ModelProto built, bool inDouble)
{
    private readonly ModelProto _model = inDouble ? GraphEditor.ToDoublePrecision(built) : built;

    /// <summary>The builder's input gradient for one sample x of shape [1, …].</summary>
    public double[] Gradient(double[] x, long[] shape, double[] seed) =>
        Run([x], shape, seed, BackwardGraphBuilder.InputGradOutput)[0];

    /// <summary>(f(x + h·e_i) − f(x − h·e_i)) / 2h for every element i listed.</summary>
    public double[] Estimate(double[] x, long[] shape, double[] seed, IReadOnlyList<int> elements, double h)
    {
        var copies = elements.SelectMany(i => new[] { Perturbed(x, i, h), Perturbed(x, i, -h) }).ToArray();
        var logits = Run(copies, shape, seed, "logits");
        double Score(int copy) => logits[copy].Select((s, c) => s * seed[c]).Sum();
        return elements.Select((_, k) => (Score(2 * k) - Score(2 * k + 1)) / (2 * h)).ToArray();
    }

    private static double[] Perturbed(double[] x, int i, double h)
    {
        var copy = (double[])x.Clone();
        copy[i] += h;
        return copy;
    }

    /// <summary>Runs a batch of samples (each shaped like <paramref name="shape"/> with batch 1), returning one output per sample.</summary>
    private double[][] Run(double[][] samples, long[] shape, double[] seed, string output)
    {
        var batchShape = shape.ToArray();
        batchShape[0] = samples.Length;
        var inputs = samples.SelectMany(s => s).ToArray();
        var seeds = Enumerable.Repeat(seed, samples.Length).SelectMany(s => s).ToArray();
        long[] seedShape = [samples.Length, seed.Length];
        using var session = OrtInferenceSession.FromBytes(_model.ToByteArray());
        using var result = session.Run(inDouble
            ? [OrtInputTensor.Double("input", inputs, batchShape), OrtInputTensor.Double(BackwardGraphBuilder.SeedInput, seeds, seedShape)]
            : [OrtInputTensor.Float("input", inputs.Select(v => (float)v).ToArray(), batchShape),
               OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seeds.Select(v => (float)v).ToArray(), seedShape)],
            output);
        var values = inDouble ? result[0].AsSpan<double>().ToArray() : result[0].ToArray().Select(v => (double)v).ToArray();
        var per = values.Length / samples.Length;
        return Enumerable.Range(0, samples.Length).Select(s => values[(s * per)..((s + 1) * per)]).ToArray();
    }
}
