using System.Text.Json;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;

namespace BatchXai.Tests.Backward;

/// <summary>A tensor recorded by make_backward_fixtures.py: shape and row-major values.</summary>
public sealed record RecordedTensor(long[] Shape, double[] Data)
{
    public float[] Floats => Data.Select(d => (float)d).ToArray();

    internal static RecordedTensor From(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray());
}

/// <summary>The models exported by Fixtures/make_backward_fixtures.py and torch's autograd gradients for them.</summary>
public static class BackwardFixtures
{
    public static readonly TheoryData<string> All = new() { "conv_variants", "stride_one_convs", "pools", "tiny_resnet", "elementwise", "shapes", "activations" };

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Backward", "Fixtures");

    public static ModelProto Exported(string name) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(Folder, name + ".onnx")));

    public static JsonElement Record(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json"))).RootElement;

    public static RecordedTensor Tensor(JsonElement record, string property) => RecordedTensor.From(record.GetProperty(property));

    /// <summary>A model in the repository's models/ folder, found by walking up to BatchXai.sln.</summary>
    public static string BundledModel(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BatchXai.sln")))
                return Path.Combine(dir.FullName, "models", file);
        throw new FileNotFoundException($"no BatchXai.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs a float32 model built by the builder, returning the requested outputs as doubles.</summary>
    public static double[][] RunFloat(ModelProto built, float[] input, long[] inputShape, float[] seed, long[] seedShape, params string[] outputs)
    {
        using var session = OrtInferenceSession.FromBytes(built.ToByteArray());
        using var result = session.Run(
            [OrtInputTensor.Float("input", input, inputShape), OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seed, seedShape)], outputs);
        return outputs.Select(o => result[o].ToArray().Select(v => (double)v).ToArray()).ToArray();
    }

    /// <summary>max |actual − expected| divided by max |expected|: the error measure of the brief.</summary>
    public static double RelativeError(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var scale = expected.Max(Math.Abs);
        Assert.True(scale > 0, "the reference gradient is all zero: the comparison would prove nothing");
        return Enumerable.Range(0, expected.Count).Max(i => Math.Abs(expected[i] - actual[i])) / scale;
    }
}
