using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using Google.Protobuf;
using static BatchXai.Tests.Graph.GraphFixtures;

namespace BatchXai.Tests.Graph;

public class OnnxGraphTests
{
    [Theory]
    [MemberData(nameof(GraphFixtures.All), MemberType = typeof(GraphFixtures))]
    public void Reads_inputs_outputs_opset_and_nodes_as_python_onnx_does(string name)
    {
        var graph = Load(name);
        var expected = Expected(name);

        var input = Assert.Single(graph.Inputs);
        var expectedInput = expected.GetProperty("inputs")[0];
        Assert.Equal(expectedInput.GetProperty("name").GetString(), input.Name);
        Assert.Equal(expectedInput.GetProperty("elemType").GetInt32(), (int)input.ElementType);
        Assert.Equal(DimsText(expectedInput.GetProperty("dims")), DimsText(input));
        Assert.Equal(-1, input.Dims![0].Value); // symbolic batch has no static value

        Assert.Equal(
            expected.GetProperty("outputs").EnumerateArray().Select(o => $"{o.GetProperty("name")}:{DimsText(o.GetProperty("dims"))}"),
            graph.Outputs.Select(o => $"{o.Name}:{DimsText(o)}"));
        Assert.Equal(expected.GetProperty("opset").GetInt64(), graph.OpsetVersion);
        Assert.Equal(expected.GetProperty("irVersion").GetInt64(), graph.IrVersion);
        Assert.Equal(Strings(expected.GetProperty("nodeNames")), graph.Nodes.Select(n => n.Name));
    }

    [Theory]
    [MemberData(nameof(GraphFixtures.All), MemberType = typeof(GraphFixtures))]
    public void Sha256_matches_the_hash_python_computed_of_the_file(string name) =>
        Assert.Equal(Expected(name).GetProperty("sha256").GetString(), Load(name).Sha256);

    [Theory]
    [MemberData(nameof(GraphFixtures.All), MemberType = typeof(GraphFixtures))]
    public void Producer_of_the_target_layer_is_the_node_python_found(string name)
    {
        var producer = Load(name).Producer(TargetLayer);
        var expected = Expected(name).GetProperty("targetProducer");
        Assert.NotNull(producer);
        Assert.Equal(expected.GetProperty("name").GetString(), producer.Name);
        Assert.Equal(expected.GetProperty("opType").GetString(), producer.OpType);
    }

    [Fact]
    public void Producer_is_null_for_graph_inputs_initializers_and_unknown_names()
    {
        var graph = Load(GapLinear);
        Assert.Null(graph.Producer("input"));
        Assert.Null(graph.Producer("classifier.weight"));
        Assert.Null(graph.Producer("no-such-tensor"));
        Assert.True(graph.IsInitializer("classifier.weight"));
        Assert.True(graph.IsTensor("input"));
        Assert.False(graph.IsTensor("no-such-tensor"));
    }

    [Fact]
    public void Value_infos_match_python_shape_inference()
    {
        var graph = Load(InputShapeHead);
        var expected = Expected(InputShapeHead).GetProperty("valueInfo").EnumerateArray().ToArray();
        Assert.NotEmpty(expected);
        foreach (var info in expected)
        {
            var actual = graph.ValueInfos[info.GetProperty("name").GetString()!];
            Assert.Equal(info.GetProperty("elemType").GetInt32(), (int)actual.ElementType);
            Assert.Equal(DimsText(info.GetProperty("dims")), DimsText(actual));
        }
    }

    [Fact]
    public void Element_types_inferred_without_value_info_agree_with_python_shape_inference()
    {
        // Strip value_info so every type must come from the producer chain, then compare with
        // the types onnx.shape_inference recorded (INT64 shape arithmetic, FLOAT activations).
        var model = ModelProto.Parser.ParseFrom(OnnxBytes(InputShapeHead));
        model.Graph.ValueInfo.Clear();
        var graph = OnnxGraph.FromBytes(model.ToByteArray());
        var expected = Expected(InputShapeHead).GetProperty("valueInfo").EnumerateArray().ToArray();
        Assert.Contains(expected, e => e.GetProperty("elemType").GetInt32() == (int)TensorProto.Types.DataType.Int64);
        foreach (var info in expected)
        {
            var tensor = info.GetProperty("name").GetString()!;
            Assert.False(graph.ValueInfos.ContainsKey(tensor));
            Assert.True((int)graph.ElementType(tensor) == info.GetProperty("elemType").GetInt32(), $"element type of {tensor}");
        }
    }

    [Theory]
    [MemberData(nameof(GraphFixtures.All), MemberType = typeof(GraphFixtures))]
    public void Parse_and_serialise_is_byte_identical(string name)
    {
        // The schema is minimal; fields it leaves out must survive as unknown fields, in place.
        var bytes = OnnxBytes(name);
        Assert.Equal(bytes, OnnxGraph.FromBytes(bytes).ToBytes());
    }

    [Fact]
    public void Fields_missing_from_the_schema_round_trip_as_unknown_fields()
    {
        // Field 25 (ModelProto.functions, local functions) is not in our schema; written by hand
        // here, it must come back unchanged.
        var model = ModelProto.Parser.ParseFrom(OnnxBytes(GapLinear));
        var extra = new byte[] { 0xCA, 0x01, 0x03, 0x0A, 0x01, 0x66 }; // tag (25, LEN), len 3, {name: "f"}
        var withFunctions = model.ToByteArray().Concat(extra).ToArray();

        var reparsed = OnnxGraph.FromBytes(withFunctions).ToBytes();

        Assert.Equal(withFunctions, reparsed);
    }

    [Fact]
    public void Garbage_bytes_fail_naming_the_source()
    {
        var e = Assert.Throws<OnnxGraphException>(() => OnnxGraph.FromBytes([0xFF, 0xFF, 0xFF], "models/bad.onnx"));
        Assert.StartsWith("models/bad.onnx: not an ONNX model", e.Message);
    }

    [Fact]
    public void Missing_file_fails_naming_the_path()
    {
        var path = Path.Combine(Folder, "missing.onnx");
        var e = Assert.Throws<OnnxGraphException>(() => OnnxGraph.Load(path));
        Assert.StartsWith(path, e.Message);
    }
}
