using BatchXai.Core.Heads;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Model;
using BatchXai.Onnx.Runtime;
using BatchXai.Tests.Localisation;
using Google.Protobuf;

namespace BatchXai.Tests.Model;

/// <summary>The models shipped in models/ load as their manifests describe them.</summary>
public class BundledModelTests
{
    [Theory]
    [InlineData("dr_grader.json", HeadKind.GapLinear)]
    [InlineData("dr_fcn.json", HeadKind.GapLinear)]
    [InlineData("dr_grader_mlp.json", HeadKind.Generic)]
    [InlineData("shortcut_grader.json", HeadKind.GapLinear)]
    public void Bundled_models_load_with_their_declared_head(string manifest, HeadKind head)
    {
        using var model = ExplainableModel.Load(PointingGameTests.BundledModel(manifest));
        Assert.Equal(head, model.Head.Kind);
        Assert.Equal((64, 20, 20), model.FeatureShape);
        Assert.Equal(5, model.Head.Classes);
    }

    [Fact]
    public void Fcn_class_kernel_outputs_equal_probed_class_maps_plus_bias()
    {
        // dr_fcn's last layer is 5 class kernels (1×1 conv) over the trunk features, so its own
        // class-map tensor must be Σ_k w_k^c A_k + b_c: an independent check of the head probe
        // and of the class-score-maps output BatchXai appends.
        const string classKernelOutput = "/head/class_kernels/Conv_output_0";
        var manifestPath = PointingGameTests.BundledModel("dr_fcn.json");
        using var model = ExplainableModel.Load(manifestPath);
        var graph = OnnxGraph.Load(model.Manifest.OnnxPath);
        using var session = OrtInferenceSession.FromBytes(GraphEditor.ExposeOutputs(graph.Model, [classKernelOutput]).ToByteArray());

        var random = new Random(17);
        var input = new float[2 * model.SampleSize];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        var forward = model.Forward(input, 2);
        using var result = session.Run([OrtInputTensor.Float("input", input, [2, .. model.SampleShape])], classKernelOutput);
        var expected = result[0].ToArray();

        var bias = model.Head.Linear!.Bias;
        var maps = forward.ClassScoreMaps!;
        int spatial = maps.SpatialSize;
        double scale = expected.Max(Math.Abs);
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 5; c++)
                for (int p = 0; p < spatial; p++)
                {
                    float ours = maps.Sample(b)[c * spatial + p] + bias[c];
                    float theirs = expected[(b * 5 + c) * spatial + p];
                    Assert.True(Math.Abs(ours - theirs) <= 1e-4 * scale, $"image {b} class {c} position {p}: {ours} vs {theirs}");
                }
    }
}
