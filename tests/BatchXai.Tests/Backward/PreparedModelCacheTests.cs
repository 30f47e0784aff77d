using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Model;
using BatchXai.Onnx.Proto;
using Google.Protobuf;
using static BatchXai.Tests.Backward.BackwardFixtures;

namespace BatchXai.Tests.Backward;

/// <summary>Prepared models cached on disk by source SHA-256 and options; bad entries rebuilt, unwritable folders skipped.</summary>
public sealed class PreparedModelCacheTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batchxai-prepared-").FullName;
    private readonly OnnxGraph _source = OnnxGraph.FromBytes(File.ReadAllBytes(Path.Combine(Folder, "tiny_resnet.onnx")));
    private readonly BackwardOptions _options;
    private int _builds;

    public PreparedModelCacheTests() =>
        _options = new BackwardOptions("input", "logits", Record("tiny_resnet").GetProperty("target_name").GetString());

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private PreparedModel Prepare(PreparedModelCache cache, OnnxGraph source, BackwardOptions options, List<string>? log = null) =>
        cache.GetOrBuild(source.Sha256, options, () =>
        {
            _builds++;
            return BackwardGraphBuilder.Build(source.Model, options);
        }, log is null ? null : log.Add);

    [Fact]
    public void A_second_preparation_with_a_fresh_cache_instance_reads_the_bytes_from_disk()
    {
        var first = Prepare(new PreparedModelCache(_folder), _source, _options);
        var second = new PreparedModelCache(_folder);
        var again = Prepare(second, _source, _options);

        Assert.Equal(PreparedModelOrigin.Built, first.Origin);
        Assert.Equal(PreparedModelOrigin.Cache, again.Origin);
        Assert.Equal(1, _builds);
        Assert.Equal((1L, 0L), (second.Hits, second.Builds));
        Assert.Equal(first.Bytes, again.Bytes);
        Assert.Equal(BackwardGraphBuilder.Build(_source.Model, _options).ToByteArray(), again.Bytes);
    }

    [Fact]
    public void Changed_model_bytes_miss_the_cache()
    {
        var cache = new PreparedModelCache(_folder);
        Prepare(cache, _source, _options);
        var changed = _source.Model.Clone();
        var weight = changed.Graph.Initializer.First(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.RawData.Length >= 4);
        var raw = weight.RawData.ToByteArray();
        raw[0] ^= 0x10;
        weight.RawData = ByteString.CopyFrom(raw);
        var other = OnnxGraph.FromBytes(changed.ToByteArray());

        var prepared = Prepare(cache, other, _options);

        Assert.NotEqual(_source.Sha256, other.Sha256);
        Assert.Equal(PreparedModelOrigin.Built, prepared.Origin);
        Assert.Equal(2, _builds);
    }

    [Fact]
    public void Each_option_is_part_of_the_key()
    {
        var cache = new PreparedModelCache(_folder);
        BackwardOptions[] variants =
        [
            _options,
            _options with { Rule = GradientRule.Deconvnet },
            _options with { Rule = GradientRule.GuidedBackprop },
            _options with { TargetLayer = null },
        ];

        var origins = variants.Select(o => Prepare(cache, _source, o).Origin).ToArray();
        var repeated = variants.Select(o => Prepare(cache, _source, o).Origin).ToArray();

        Assert.All(origins, o => Assert.Equal(PreparedModelOrigin.Built, o));
        Assert.All(repeated, o => Assert.Equal(PreparedModelOrigin.Cache, o));
        Assert.Equal(variants.Length, variants.Select(o => PreparedModelCache.Key(_source.Sha256, o)).Distinct().Count());
    }

    [Theory]
    [InlineData("truncated model")]
    [InlineData("flipped byte")]
    [InlineData("garbage record")]
    [InlineData("missing record")]
    public void A_corrupt_entry_is_rebuilt_and_then_served(string damage)
    {
        var cache = new PreparedModelCache(_folder);
        var first = Prepare(cache, _source, _options);
        var onnx = first.Path!;
        var record = Path.ChangeExtension(onnx, ".json");
        switch (damage)
        {
            case "truncated model": File.WriteAllBytes(onnx, first.Bytes[..(first.Bytes.Length / 2)]); break;
            case "flipped byte":
                var bytes = (byte[])first.Bytes.Clone();
                bytes[bytes.Length / 3] ^= 0xFF;
                File.WriteAllBytes(onnx, bytes);
                break;
            case "garbage record": File.WriteAllText(record, "{not json"); break;
            case "missing record": File.Delete(record); break;
        }
        var log = new List<string>();

        var rebuilt = Prepare(cache, _source, _options, log);
        var served = Prepare(cache, _source, _options);

        Assert.Equal(PreparedModelOrigin.Built, rebuilt.Origin);
        Assert.Contains(log, l => l.Contains("rebuilding", StringComparison.Ordinal) && l.Contains(onnx, StringComparison.Ordinal));
        Assert.Equal(first.Bytes, rebuilt.Bytes);
        Assert.Equal(PreparedModelOrigin.Cache, served.Origin);
        Assert.Equal(2, _builds);
    }

    [Fact]
    public void An_unwritable_cache_folder_is_reported_and_skipped()
    {
        var blocker = Path.Combine(_folder, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var log = new List<string>();

        var prepared = Prepare(new PreparedModelCache(Path.Combine(blocker, "prepared")), _source, _options, log);

        Assert.Equal(PreparedModelOrigin.Built, prepared.Origin);
        Assert.Null(prepared.Path);
        Assert.Contains(log, l => l.Contains("not cached", StringComparison.Ordinal));
        Assert.NotEmpty(OnnxGraph.FromBytes(prepared.Bytes).Model.Graph.Node);
    }

    [Fact]
    public void The_default_folder_follows_BATCHXAI_CACHE_DIR_and_off_disables_caching()
    {
        var before = Environment.GetEnvironmentVariable(PreparedModelCache.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(PreparedModelCache.DirectoryVariable, _folder);
            Assert.Equal(Path.Combine(_folder, "prepared"), PreparedModelCache.DefaultDirectory());
            Environment.SetEnvironmentVariable(PreparedModelCache.DirectoryVariable, "off");
            Assert.Null(PreparedModelCache.DefaultDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable(PreparedModelCache.DirectoryVariable, before);
        }
        Assert.Equal(PreparedModelOrigin.Built, Prepare(PreparedModelCache.Disabled, _source, _options).Origin);
        Assert.Equal(PreparedModelOrigin.Built, Prepare(PreparedModelCache.Disabled, _source, _options).Origin);
    }

    /// <summary>Through the model API a worker uses: a restart (new model, new cache object) reads the prepared graph and gives the same gradients.</summary>
    [Fact]
    public void A_reloaded_model_prepares_from_the_cache_with_identical_gradients()
    {
        var manifest = BundledModel("dr_grader.json");
        var random = new Random(3);
        var x = Enumerable.Range(0, 2 * 3 * 160 * 160).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var seeds = Enumerable.Range(0, 2 * 5).Select(i => i % 5 == 2 ? 1f : 0f).ToArray();
        GradientResult Run(PreparedModelCache cache)
        {
            using var model = ExplainableModel.Load(manifest, maxBatch: 2, preparedModels: cache);
            return model.Gradients.Compute(x, 2, seeds, GradientRule.Exact, withTargetLayer: true);
        }

        var (firstCache, secondCache) = (new PreparedModelCache(_folder), new PreparedModelCache(_folder));
        var first = Run(firstCache);
        var second = Run(secondCache);

        Assert.Equal((0L, 1L), (firstCache.Hits, firstCache.Builds));
        Assert.Equal((1L, 0L), (secondCache.Hits, secondCache.Builds));
        Assert.Equal(first.InputGradients, second.InputGradients);
        Assert.Equal(first.FeatureGradients!.Values, second.FeatureGradients!.Values);
        Assert.Contains(first.InputGradients, v => v != 0);
    }
}
