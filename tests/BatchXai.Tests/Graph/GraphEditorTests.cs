using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using Google.Protobuf;
using static BatchXai.Tests.Graph.GraphFixtures;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Tests.Graph;

public class GraphEditorTests
{
    private static ModelProto Model(string name) => ModelProto.Parser.ParseFrom(OnnxBytes(name));

    [Fact]
    public void ExposeOutputs_adds_the_target_layer_as_a_float_output_and_leaves_the_source_alone()
    {
        var model = Model(GapLinear);
        var before = model.ToByteArray();

        var exposed = GraphEditor.ExposeOutputs(model, [TargetLayer]);

        Assert.Equal(before, model.ToByteArray());
        var graph = OnnxGraph.FromBytes(exposed.ToByteArray());
        Assert.Equal(["logits", TargetLayer], graph.Outputs.Select(o => o.Name));
        Assert.Equal(DataType.Float, graph.Outputs[1].ElementType);
        // No value_info in this export: the rank is inferred (Relu of a Conv of the 4-D input), the dims left unknown.
        Assert.Equal("?,?,?,?", DimsText(graph.Outputs[1]));
        Assert.Equal(model.Graph.Node, exposed.Graph.Node);
    }

    [Fact]
    public void ExposeOutputs_takes_the_shape_from_value_info_when_present()
    {
        var exposed = GraphEditor.ExposeOutputs(Model(InputShapeHead), [TargetLayer, "/Shape_output_0"]);

        var graph = OnnxGraph.FromBytes(exposed.ToByteArray());
        var expected = Expected(InputShapeHead).GetProperty("valueInfo").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!);
        foreach (var name in new[] { TargetLayer, "/Shape_output_0" })
        {
            var output = graph.Outputs.Single(o => o.Name == name);
            Assert.Equal(expected[name].GetProperty("elemType").GetInt32(), (int)output.ElementType);
            Assert.Equal(DimsText(expected[name].GetProperty("dims")), DimsText(output));
        }
    }

    [Fact]
    public void ExposeOutputs_infers_int64_for_shape_arithmetic_without_value_info()
    {
        var model = Model(InputShapeHead);
        model.Graph.ValueInfo.Clear();

        var exposed = GraphEditor.ExposeOutputs(model, ["/Concat_output_0"]);

        Assert.Equal((int)DataType.Int64, exposed.Graph.Output.Single(o => o.Name == "/Concat_output_0").Type.TensorType.ElemType);
    }

    [Fact]
    public void ExposeOutputs_infers_the_ranks_python_shape_inference_found()
    {
        var model = Model(InputShapeHead);
        model.Graph.ValueInfo.Clear();
        var expected = Expected(InputShapeHead).GetProperty("valueInfo").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => DimsText(v.GetProperty("dims"))?.Split(',').Length);

        var exposed = OnnxGraph.FromBytes(GraphEditor.ExposeOutputs(model, expected.Keys).ToByteArray());

        var inferred = exposed.Outputs.Where(o => o.Name != "logits" && o.Dims is not null).ToArray();
        Assert.Contains(inferred, o => o.Name == TargetLayer);
        Assert.Contains(inferred, o => o.Name == "/pool/GlobalAveragePool_output_0");
        foreach (var output in inferred)
            Assert.True(expected[output.Name] == output.Rank, $"rank of {output.Name}");
    }

    [Fact]
    public void ExposeOutputs_is_a_no_op_for_existing_outputs_and_repeated_names()
    {
        var model = Model(MlpHead);

        var exposed = GraphEditor.ExposeOutputs(model, ["logits", TargetLayer, TargetLayer]);
        var again = GraphEditor.ExposeOutputs(exposed, [TargetLayer]);

        Assert.Equal(["logits", TargetLayer], exposed.Graph.Output.Select(o => o.Name));
        Assert.Equal(exposed, again);
    }

    [Fact]
    public void ExposeOutputs_of_an_unknown_tensor_names_it_and_suggests_feature_outputs()
    {
        var e = Assert.Throws<OnnxGraphException>(() =>
            GraphEditor.ExposeOutputs(Model(GapLinear), ["/features/features.9/Relu_output_0"]));

        Assert.Contains("'/features/features.9/Relu_output_0'", e.Message);
        Assert.Contains($"'{TargetLayer}'", e.Message);
    }

    [Theory]
    [InlineData(GapLinear)]
    [InlineData(MlpHead)]
    public void ExtractSubgraph_keeps_exactly_the_head_python_identified(string name)
    {
        var expected = Expected(name);
        var model = Model(name);

        var head = GraphEditor.ExtractSubgraph(model, TargetLayer, ["logits"]);

        // Python names the head by torch's module paths (everything outside /features/).
        Assert.Equal(Strings(expected.GetProperty("headNodes")), head.Graph.Node.Select(n => n.Name));
        Assert.Equal(Strings(expected.GetProperty("headInitializers")), head.Graph.Initializer.Select(t => t.Name).Order());
        Assert.Equal(model.Graph.Initializer.Where(t => t.Name.StartsWith("classifier")), head.Graph.Initializer);
        Assert.Equal(model.OpsetImport, head.OpsetImport);
        Assert.Equal(model.IrVersion, head.IrVersion);

        var graph = OnnxGraph.FromBytes(head.ToByteArray());
        var input = Assert.Single(graph.Inputs);
        Assert.Equal(TargetLayer, input.Name);
        Assert.Equal(DataType.Float, input.ElementType);
        var output = Assert.Single(graph.Outputs);
        Assert.Equal("logits", output.Name);
        Assert.Equal(DimsText(expected.GetProperty("outputs")[0].GetProperty("dims")), DimsText(output));
    }

    [Fact]
    public void ExtractSubgraph_gives_the_input_a_symbolic_batch_and_the_value_info_shape()
    {
        var model = Model(InputShapeHead);
        // Pretend the model was exported with a fixed batch of 1: the head must still take a batch.
        var declared = model.Graph.ValueInfo.Single(v => v.Name == TargetLayer);
        declared.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = 1 };

        var head = GraphEditor.ExtractSubgraph(model, TargetLayer, ["/pool/GlobalAveragePool_output_0"]);

        var input = OnnxGraph.FromBytes(head.ToByteArray()).Inputs.Single();
        Assert.Equal($"{GraphEditor.BatchSymbol},16,16,16", DimsText(input));
        Assert.Equal(["/pool/GlobalAveragePool"], head.Graph.Node.Select(n => n.Name));
        Assert.Empty(head.Graph.Initializer);
    }

    [Fact]
    public void ExtractSubgraph_fails_when_the_head_reads_the_image_input()
    {
        var e = Assert.Throws<OnnxGraphException>(() =>
            GraphEditor.ExtractSubgraph(Model(InputShapeHead), TargetLayer, ["logits"]));

        Assert.Equal(
            $"'logits' depends on graph input 'input' through node '/Shape' — cannot evaluate it from '{TargetLayer}' alone",
            e.Message);
    }

    [Fact]
    public void ExtractSubgraph_fails_when_an_output_does_not_depend_on_the_input()
    {
        // A Constant's output depends on nothing: a "head" computing it would ignore its input.
        var e = Assert.Throws<OnnxGraphException>(() =>
            GraphEditor.ExtractSubgraph(Model(InputShapeHead), TargetLayer, ["/Constant_1_output_0"]));

        Assert.Equal($"output '/Constant_1_output_0' does not depend on '{TargetLayer}' — the subgraph would ignore its input", e.Message);
    }

    [Fact]
    public void ExtractSubgraph_of_an_unknown_input_names_it()
    {
        var e = Assert.Throws<OnnxGraphException>(() => GraphEditor.ExtractSubgraph(Model(GapLinear), "features", ["logits"]));

        Assert.Contains("'features'", e.Message);
        Assert.Contains("subgraph input", e.Message);
    }
}
