using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtSessionErrorTests
{
    private static readonly float[] OneSample = new float[3 * 32 * 32];

    [Fact]
    public void Unknown_input_name_fails_naming_it_and_the_real_inputs()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);

        var e = Assert.Throws<ArgumentException>(() => session.Run([OrtInputTensor.Float("pixels", OneSample, 1, 3, 32, 32)]));

        Assert.Contains("'pixels'", e.Message);
        Assert.Contains("x: float[batch,3,32,32]", e.Message);
    }

    [Fact]
    public void Unknown_output_name_fails_naming_it()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);

        var e = Assert.Throws<ArgumentException>(() => session.Run([OrtInputTensor.Float("x", OneSample, 1, 3, 32, 32)], "probabilities"));

        Assert.Contains("'probabilities'", e.Message);
        Assert.Contains("y: float", e.Message);
    }

    [Fact]
    public void Shape_that_does_not_match_the_data_length_is_rejected_before_ort()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);

        var e = Assert.Throws<ArgumentException>(() => session.Run([OrtInputTensor.Float("x", OneSample, 2, 3, 32, 32)]));

        Assert.Contains("'x'", e.Message);
        Assert.Contains("6144", e.Message);
        Assert.Contains("3072", e.Message);
    }

    [Fact]
    public void Ort_errors_carry_code_and_native_message()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);

        // Right element count, wrong rank: only ONNX Runtime can tell, and reports it through an OrtStatus.
        var e = Assert.Throws<OrtException>(() => session.Run([OrtInputTensor.Float("x", OneSample, 1, 3 * 32 * 32)]));

        Assert.Equal(OrtErrorCode.InvalidArgument, e.ErrorCode);
        Assert.Equal("Run", e.Operation);
        Assert.Contains("rank", e.NativeMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(e.NativeMessage, e.Message);
        Assert.Contains("affine.onnx", e.Message);
    }

    [Fact]
    public void Wrong_element_type_is_an_ort_error()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);

        var e = Assert.Throws<OrtException>(() => session.Run([OrtInputTensor.Int64("x", new long[4], 1, 4)]));

        Assert.Equal(OrtErrorCode.InvalidArgument, e.ErrorCode);
    }

    [Fact]
    public void Corrupt_model_bytes_fail_with_an_ort_exception()
    {
        var bytes = File.ReadAllBytes(RuntimeTestModels.Classifier)[..40];

        var e = Assert.Throws<OrtException>(() => OrtInferenceSession.FromBytes(bytes));

        Assert.Equal("CreateSession", e.Operation);
        Assert.Contains("in-memory", e.Message);
    }

    [Fact]
    public void Missing_model_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "batchxai-missing-" + Guid.NewGuid().ToString("N") + ".onnx");

        var e = Assert.Throws<FileNotFoundException>(() => OrtInferenceSession.FromFile(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Reading_a_disposed_result_throws()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        var result = session.Run([OrtInputTensor.Float("x", new float[4], 1, 4)]);
        result.Dispose();

        Assert.Throws<ObjectDisposedException>(() => result["total"].Shape);
        Assert.Throws<ObjectDisposedException>(() => result[0].ToArray());
        result.Dispose(); // idempotent
    }

    [Fact]
    public void Running_a_disposed_session_throws()
    {
        var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run([OrtInputTensor.Float("x", new float[4], 1, 4)]));
        session.Dispose(); // idempotent
    }
}
