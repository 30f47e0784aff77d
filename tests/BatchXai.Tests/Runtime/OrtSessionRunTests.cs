using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtSessionRunTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Affine_model_computes_two_x_plus_one_for_any_batch(int batch)
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);
        var x = RuntimeTestModels.RandomValues(batch * 3 * 32 * 32, seed: batch);

        using var result = session.Run([OrtInputTensor.Float("x", x, batch, 3, 32, 32)], "y");

        var y = result["y"];
        Assert.Equal([(long)batch, 3, 32, 32], y.Shape);
        Assert.Equal(x.Length, y.ElementCount);
        var values = y.Data;
        for (var i = 0; i < x.Length; i++) Assert.Equal(x[i] * 2f + 1f, values[i]);
    }

    [Fact]
    public void Classifier_matches_numpy_reference()
    {
        var reference = RuntimeTestModels.LoadClassifierCase();
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Classifier);

        using var result = session.Run([OrtInputTensor.Float("input", reference.Input, reference.InputShape)]);

        var logits = result[0];
        Assert.Equal("logits", logits.Name);
        Assert.Equal(reference.LogitsShape, logits.Shape);
        var actual = logits.ToArray();
        Assert.Equal(reference.Logits.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++) Assert.InRange(actual[i] - reference.Logits[i], -1e-5, 1e-5);
    }

    [Fact]
    public void Session_from_bytes_gives_the_same_logits()
    {
        var reference = RuntimeTestModels.LoadClassifierCase();
        using var session = OrtInferenceSession.FromBytes(File.ReadAllBytes(RuntimeTestModels.Classifier));

        using var result = session.Run([OrtInputTensor.Float("input", reference.Input, reference.InputShape)], "logits");

        var actual = result["logits"].ToArray();
        for (var i = 0; i < actual.Length; i++) Assert.InRange(actual[i] - reference.Logits[i], -1e-5, 1e-5);
    }

    [Fact]
    public void Two_outputs_come_back_in_the_requested_order()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        float[] x = [1, 2, 3, 4, -1, 0.5f, 0.25f, 10];

        using var result = session.Run([OrtInputTensor.Float("x", x, 2, 4)], "total", "scaled");

        Assert.Equal(["total", "scaled"], result.Names);
        Assert.Equal([2L], result[0].Shape);
        Assert.Equal([10f, 9.75f], result[0].ToArray());
        Assert.Equal([2L, 4], result[1].Shape);
        Assert.Equal(x.Select(v => v * 3f), result[1].ToArray());
    }

    [Fact]
    public void No_output_names_returns_every_output_in_model_order()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);

        using var result = session.Run([OrtInputTensor.Float("x", new float[] { 1, 1, 1, 1 }, 1, 4)]);

        Assert.Equal(["scaled", "total"], result.Names);
        Assert.Equal([4f], result["total"].ToArray());
    }

    [Fact]
    public void Single_output_can_be_requested_alone()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);

        using var result = session.Run([OrtInputTensor.Float("x", new float[] { 1, 2, 3, 4 }, 1, 4)], "total");

        Assert.Equal(1, result.Count);
        Assert.Equal([10f], result["total"].ToArray());
    }

    [Fact]
    public void Int64_input_is_passed_through()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.CastInt64);
        long[] k = [-3, 0, 7, 1L << 40];

        using var result = session.Run([OrtInputTensor.Int64("k", k, k.Length)]);

        Assert.Equal(k.Select(v => (float)v * 0.5f), result["half"].ToArray());
    }

    [Fact]
    public void CopyTo_fills_the_destination_and_rejects_a_short_one()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        using var result = session.Run([OrtInputTensor.Float("x", new float[] { 1, 2, 3, 4 }, 1, 4)], "scaled");
        var scaled = result["scaled"];

        var destination = new float[6];
        scaled.CopyTo(destination);
        Assert.Equal([3f, 6, 9, 12, 0, 0], destination);

        var e = Assert.Throws<ArgumentException>(() => scaled.CopyTo(new float[3]));
        Assert.Contains("scaled", e.Message);
    }

    [Fact]
    public void Reading_with_the_wrong_element_type_fails_naming_the_output()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        using var result = session.Run([OrtInputTensor.Float("x", new float[] { 1, 2, 3, 4 }, 1, 4)], "total");

        var e = Assert.Throws<InvalidOperationException>(() => result["total"].AsSpan<long>().Length);
        Assert.Contains("total", e.Message);
        Assert.Contains("float", e.Message);
    }

    [Fact]
    public void Concurrent_runs_on_one_session_all_get_their_own_correct_results()
    {
        var reference = RuntimeTestModels.LoadClassifierCase();
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Classifier,
                                                         new OrtSessionOptions { IntraOpThreads = 1 });
        // Per-thread scaled copies of the reference input: logits are not linear in the input, so each
        // thread checks its own batch against a single-threaded run of the same batch.
        var inputs = Enumerable.Range(0, 8).Select(t => reference.Input.Select(v => v * (1 + t * 0.1f)).ToArray()).ToArray();
        var expected = inputs.Select(input =>
        {
            using var r = session.Run([OrtInputTensor.Float("input", input, reference.InputShape)]);
            return r[0].ToArray();
        }).ToArray();

        var mismatches = 0;
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (var i = 0; i < 50; i++)
            {
                using var r = session.Run([OrtInputTensor.Float("input", inputs[t], reference.InputShape)]);
                if (!r[0].Data.SequenceEqual(expected[t])) Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
        Assert.NotEqual(expected[0], expected[1]); // the threads really had different work
    }

    [Fact]
    public void RunInto_writes_outputs_straight_into_the_callers_arrays()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        float[] x = [1, 2, 3, 4, -1, 0.5f, 0.25f, 10];
        var scaled = new float[10];
        var total = new float[2];
        var liveBefore = OrtRuntime.LiveOrtValueCount;

        // Destinations are slices: only their own ranges may be written.
        session.RunInto([OrtInputTensor.Float("x", x, 2, 4)], [new("total", total), new("scaled", scaled.AsMemory(1, 8))]);

        Assert.Equal([10f, 9.75f], total);
        Assert.Equal(new[] { 0f }.Concat(x.Select(v => v * 3f)).Append(0f), scaled);
        Assert.Equal(liveBefore, OrtRuntime.LiveOrtValueCount);
    }

    [Fact]
    public void RunInto_with_a_destination_of_the_wrong_size_fails_naming_the_output()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        float[] x = [1, 2, 3, 4];

        // 6 values cannot be [n,4]: computed by ORT, then refused when copied out.
        var e = Assert.Throws<ArgumentException>(() => session.RunInto([OrtInputTensor.Float("x", x, 1, 4)], [new("scaled", new float[6])]));
        Assert.Contains("'scaled'", e.Message);
        Assert.Contains("[1,4]", e.Message);

        // 8 values are [2,4]: bound to the buffer, and ORT refuses the shape the model really produces.
        var ort = Assert.Throws<OrtException>(() => session.RunInto([OrtInputTensor.Float("x", x, 1, 4)], [new("scaled", new float[8])]));
        Assert.Equal("Run", ort.Operation);
    }
}
