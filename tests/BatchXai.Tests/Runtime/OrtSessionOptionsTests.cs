using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtSessionOptionsTests
{
    /// <summary>ORT names the file {prefix}_{date}.json and writes it when the session is released; its node events carry op names.</summary>
    [Fact]
    public void Profiling_writes_a_trace_naming_the_graph_s_ops_when_the_session_is_disposed()
    {
        var folder = Directory.CreateTempSubdirectory("batchxai-profile-");
        try
        {
            var options = new OrtSessionOptions { ProfilePrefix = Path.Combine(folder.FullName, "trace") };
            using (var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs, options))
            using (session.Run([OrtInputTensor.Float("x", new float[] { 1, 2, 3, 4 }, 1, 4)], "total")) { }

            var trace = Assert.Single(folder.GetFiles("trace_*.json"));
            Assert.Contains("\"op_name\"", File.ReadAllText(trace.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Cpu_request_has_no_fallback_and_logs_nothing()
    {
        var logged = new List<string>();
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs, new OrtSessionOptions { Log = logged.Add });

        Assert.Equal(OrtExecutionProvider.Cpu, session.ExecutionProviderInUse);
        Assert.Null(session.FallbackReason);
        Assert.Empty(logged);
    }

    [Theory]
    [InlineData(OrtGraphOptimizationLevel.DisableAll, 1, 1, false)]
    [InlineData(OrtGraphOptimizationLevel.Basic, 2, 0, false)]
    [InlineData(OrtGraphOptimizationLevel.Extended, 0, 2, true)]
    [InlineData(OrtGraphOptimizationLevel.All, 0, 0, true)]
    public void Threading_and_optimisation_settings_do_not_change_results(
        OrtGraphOptimizationLevel level, int intraOp, int interOp, bool parallel)
    {
        var reference = RuntimeTestModels.LoadClassifierCase();
        var options = new OrtSessionOptions
        {
            GraphOptimization = level, IntraOpThreads = intraOp, InterOpThreads = interOp, ParallelExecution = parallel,
        };
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Classifier, options);

        using var result = session.Run([OrtInputTensor.Float("input", reference.Input, reference.InputShape)]);

        var actual = result[0].ToArray();
        for (var i = 0; i < actual.Length; i++) Assert.InRange(actual[i] - reference.Logits[i], -1e-5, 1e-5);
    }

    [Fact]
    public void Invalid_settings_are_rejected_naming_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => OrtInferenceSession.FromFile(RuntimeTestModels.Affine, new OrtSessionOptions { IntraOpThreads = -2 }));
        Assert.Equal("IntraOpThreads", e.ParamName);

        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => OrtInferenceSession.FromFile(RuntimeTestModels.Affine, new OrtSessionOptions { GraphOptimization = (OrtGraphOptimizationLevel)5 }));
        Assert.Equal("GraphOptimization", e.ParamName);
    }
}
