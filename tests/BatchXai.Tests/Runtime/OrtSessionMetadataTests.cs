using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtSessionMetadataTests
{
    [Fact]
    public void Affine_model_reports_a_dynamic_batch_dimension()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);

        var input = Assert.Single(session.Inputs);
        Assert.Equal("x", input.Name);
        Assert.True(input.IsTensor);
        Assert.Equal(OrtElementType.Float, input.ElementType);
        Assert.Equal([-1L, 3, 32, 32], input.Shape);
        Assert.Equal(["batch", null, null, null], input.SymbolicDimensions);
        Assert.Equal("x: float[batch,3,32,32]", input.ToString());

        var output = Assert.Single(session.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal([-1L, 3, 32, 32], output.Shape);
    }

    [Fact]
    public void Classifier_reports_logits_shape()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Classifier);

        Assert.Equal("input", Assert.Single(session.Inputs).Name);
        var logits = Assert.Single(session.Outputs);
        Assert.Equal("logits", logits.Name);
        Assert.Equal([-1L, 5], logits.Shape);
    }

    [Fact]
    public void Two_output_model_lists_outputs_in_model_order()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);

        Assert.Equal(["scaled", "total"], session.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 4], session.Outputs[0].Shape);
        Assert.Equal([-1L], session.Outputs[1].Shape);
    }

    [Fact]
    public void Int64_input_is_reported_as_int64()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.CastInt64);

        var input = Assert.Single(session.Inputs);
        Assert.Equal(OrtElementType.Int64, input.ElementType);
        Assert.Equal(["n"], input.SymbolicDimensions);
        Assert.Equal(OrtElementType.Float, Assert.Single(session.Outputs).ElementType);
    }

    [Fact]
    public void Session_from_bytes_has_the_same_metadata_as_from_file()
    {
        using var fromFile = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        using var fromBytes = OrtInferenceSession.FromBytes(File.ReadAllBytes(RuntimeTestModels.TwoOutputs));

        Assert.Equal(fromFile.Inputs.Select(i => i.ToString()), fromBytes.Inputs.Select(i => i.ToString()));
        Assert.Equal(fromFile.Outputs.Select(o => o.ToString()), fromBytes.Outputs.Select(o => o.ToString()));
        Assert.Contains("in-memory", fromBytes.ModelSource);
    }
}
