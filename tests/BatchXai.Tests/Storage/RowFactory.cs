using System.Reflection;
using BatchXai.Contracts;
using BatchXai.Storage.Database;

namespace BatchXai.Tests.Storage;

/// <summary>Rows whose every column holds a value distinct from its default and from other rows' values.</summary>
internal static class RowFactory
{
    public static RunRow Run(int expected = 10) => new()
    {
        Id = Guid.NewGuid(),
        Status = RunStatus.Running,
        DatasetUri = "file:///data/aptos",
        ModelManifestUri = "/models/resnet.json",
        ModelName = "resnet",
        ModelSha256 = new string('a', 64),
        ResultsUri = "file:///results",
        Methods = "crm,ig",
        Target = "predicted",
        ClassNamesJson = "[\"none\",\"mild\"]",
        Expected = expected,
    };

    public static ImageResultRow Result(string key, string method, int seed, bool withNullables = true) => new()
    {
        ImageKey = key,
        Method = method,
        Label = withNullables ? seed % 5 : null,
        Predicted = (seed + 1) % 5,
        TargetClass = (seed + 2) % 5,
        ProbabilitiesJson = $"[0.{seed + 1},0.9]",
        MapHeight = 7 + seed,
        MapWidth = 9 + seed,
        MapLowRes = Enumerable.Range(0, 16 + seed).Select(i => (byte)(i * 31 + seed)).ToArray(),
        MapMax = 1.25 + seed / 1024.0,
        MapMean = 0.1 + seed / 3.0,
        RoiPixels = 1000 + seed,
        RoiRatio = 0.123456789012345 + seed,
        RoiX0 = 1 + seed,
        RoiY0 = 2 + seed,
        RoiX1 = 30 + seed,
        RoiY1 = 40 + seed,
        CompletenessDelta = withNullables ? -1e-7 * (seed + 1) : null,
        NpyUri = $"file:///results/{method}/{key}.npy",
        PngUri = $"file:///results/{method}/{key}.png",
        ContentSha256 = $"{seed:x8}{new string('c', 56)}",
    };

    public static ImageFailureRow Failure(string key, string stage = "decode") => new()
    {
        ImageKey = key,
        Stage = stage,
        Error = $"{key}: truncated JPEG",
    };

    public static ClassAggregateRow Aggregate(int classIndex, int seed) => new()
    {
        ClassIndex = classIndex,
        ClassName = $"class{classIndex}",
        Selection = "correct",
        ImageCount = 10 + seed,
        RoiThreshold = 0.7,
        RoiPixels = 500 + seed,
        RoiRatio = 0.25 + seed / 100.0,
        RoiX0 = 3 + seed,
        RoiY0 = 4 + seed,
        RoiX1 = 50 + seed,
        RoiY1 = 60 + seed,
        ScoreMean = 0.31 + seed,
        ScoreStd = 0.07 + seed,
        ScoreHistogramJson = $"[{seed},2,3]",
        ImageRoiRatioMean = 0.2 + seed,
        ImageRoiRatioStd = 0.05 + seed,
        ImageRoiRatioHistogramJson = $"[4,{seed}]",
        NpyUri = $"file:///results/classes/{classIndex}.npy",
        PngUri = $"file:///results/classes/{classIndex}.png",
    };

    /// <summary>Asserts that every public property of two rows is equal (byte arrays by content).</summary>
    public static void AssertSameColumns<T>(T expected, T actual)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? e = property.GetValue(expected), a = property.GetValue(actual);
            if (e is byte[] eb) Assert.Equal(eb, Assert.IsType<byte[]>(a));
            else if (!Equals(e, a)) Assert.Fail($"{typeof(T).Name}.{property.Name}: expected {e ?? "null"}, read back {a ?? "null"}");
        }
    }
}
