using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Graph.Upgrade;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;
using AttributeType = BatchXai.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BatchXai.Onnx.Proto.TensorProto.Types.DataType;

namespace BatchXai.Tests.Graph;

/// <summary>
/// Every op form the upgrader rewrites, as a one-node model at its old opset: ONNX Runtime runs the
/// model as exported (its own kernel for that opset is the reference) and as upgraded to opset 13,
/// and the outputs must agree to float rounding.
/// </summary>
public class OpsetUpgradeTests
{
    public static readonly TheoryData<string> Cases = new(OldOpsetCases.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_upgraded_node_computes_what_ONNX_Runtime_computes_at_the_old_opset(string name)
    {
        var (model, inputShape) = OldOpsetCases.All[name]();
        var (upgraded, upgrade) = OpsetUpgrader.Upgrade(model);

        Assert.NotNull(upgrade);
        Assert.Equal(13, OpsetUpgrader.DefaultOpset(upgraded));
        Assert.Equal(OpsetUpgrader.DefaultOpset(model), OpsetUpgrader.SourceOpset(upgraded));
        var random = new Random(7);
        var x = Enumerable.Range(0, (int)inputShape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var expected = Run(model, x, inputShape);
        var actual = Run(upgraded, x, inputShape);

        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Values.Length, actual.Values.Length);
        for (var i = 0; i < expected.Values.Length; i++)
            Assert.True(Math.Abs(expected.Values[i] - actual.Values[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected.Values[i])),
                $"{name}: element {i}: {actual.Values[i]} after the upgrade, {expected.Values[i]} as exported");
    }

    [Fact]
    public void A_model_at_opset_13_or_later_is_left_as_it_is()
    {
        var (model, _) = OldOpsetCases.All["Clip-6 min/max attributes"]();
        model.OpsetImport[0].Version = 13;
        var (same, upgrade) = OpsetUpgrader.Upgrade(model);
        Assert.Same(model, same);
        Assert.Null(upgrade);
    }

    [Fact]
    public void An_opset_older_than_7_is_refused_naming_it()
    {
        var (model, _) = OldOpsetCases.All["Clip-6 min/max attributes"]();
        model.OpsetImport[0].Version = 6;
        var e = Assert.Throws<OnnxGraphException>(() => OnnxGraph.FromBytes(model.ToByteArray(), "old.onnx"));
        Assert.Contains("old.onnx", e.Message);
        Assert.Contains("opset 6", e.Message);
    }

    [Fact]
    public void A_dropout_whose_mask_is_read_is_refused_naming_node_op_and_opset()
    {
        var (model, _) = OldOpsetCases.Single(7, "Dropout", [Attr("ratio", 0.3f)], outputs: 2);
        model.Graph.Output[0].Name = model.Graph.Node[0].Output[1];
        var e = Assert.Throws<OnnxGraphException>(() => OpsetUpgrader.Upgrade(model));
        Assert.Contains("node 'node' (op Dropout, opset 7)", e.Message);
    }

    private static (long[] Shape, float[] Values) Run(ModelProto model, float[] x, long[] shape)
    {
        using var session = OrtInferenceSession.FromBytes(model.ToByteArray());
        using var result = session.Run([OrtInputTensor.Float("x", x, shape)], model.Graph.Output[0].Name);
        return (result[0].Shape, result[0].ToArray());
    }

    private static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    /// <summary>One-node models at old opsets: input "x", output "y" (the node's first output).</summary>
    private static class OldOpsetCases
    {
        private static readonly long[] Nchw = [2, 3, 4, 5];

        public static readonly Dictionary<string, Func<(ModelProto, long[])>> All = new()
        {
            ["Clip-6 min/max attributes"] = () => Single(9, "Clip", [Floats("min", -0.5f), Floats("max", 0.3f)]),
            ["Clip-6 max only"] = () => Single(7, "Clip", [Floats("max", 0.3f)]),
            ["Slice-1 starts/ends/axes attributes"] = () => Single(9, "Slice", [Ints("starts", 1, 0), Ints("ends", 3, -1), Ints("axes", 1, 3)]),
            ["Slice-1 without axes"] = () => Single(8, "Slice", [Ints("starts", 1, 0, 1), Ints("ends", 2, 2, 100)]),
            ["Pad-2 constant with a value"] = () => Single(9, "Pad", [Ints("pads", 0, 0, 1, 2, 0, 0, 2, 1), Floats("value", 0.7f)]),
            ["Pad-2 reflect"] = () => Single(10, "Pad", [Ints("pads", 0, 0, 1, 1, 0, 0, 2, 1), Text("mode", "reflect")]),
            ["Squeeze-11 axes attribute"] = () => Single(11, "Squeeze", [Ints("axes", 1)], shape: [2, 1, 4, 5]),
            ["Unsqueeze-11 axes attribute"] = () => Single(11, "Unsqueeze", [Ints("axes", 0, 3)]),
            ["ReduceSum-11 axes attribute"] = () => Single(11, "ReduceSum", [Ints("axes", 2), Int("keepdims", 0)]),
            ["ReduceSum-1 every axis"] = () => Single(9, "ReduceSum", []),
            ["Split-11 split attribute"] = () => Single(11, "Split", [Int("axis", 1), Ints("split", 1, 2)], outputs: 2, readOutput: 1),
            ["Split-2 equal parts"] = () => Single(9, "Split", [Int("axis", 3)], shape: [2, 3, 4, 6], outputs: 2),
            ["Softmax-11 over axis 1 of 4-D (flattened)"] = () => Single(11, "Softmax", [Int("axis", 1)]),
            ["Softmax-1 default axis on 4-D"] = () => Single(9, "Softmax", []),
            ["Softmax-1 last axis"] = () => Single(9, "Softmax", [Int("axis", 3)]),
            ["LogSoftmax-11 negative axis"] = () => Single(11, "LogSoftmax", [Int("axis", -2)]),
            ["Hardmax-11 axis 2"] = () => Single(11, "Hardmax", [Int("axis", 2)]),
            ["Upsample-7 nearest, scales attribute"] = () => Single(7, "Upsample", [Floats("scales", 1, 1, 2, 3)]),
            ["Upsample-7 linear"] = () => Single(8, "Upsample", [Floats("scales", 1, 1, 2, 2), Text("mode", "linear")]),
            ["Upsample-9 nearest, scales input"] = () => WithInitializers(9, "Upsample", [], ("scales", [1, 1, 3, 2])),
            ["Resize-10 linear"] = () => WithInitializers(10, "Resize", [Text("mode", "linear")], ("scales", [1, 1, 2, 1.5f])),
            ["BatchNormalization-7 spatial"] = () => WithInitializers(7, "BatchNormalization", [Int("spatial", 1), Attr("epsilon", 1e-3f)],
                ("scale", [0.5f, 1.5f, 2f]), ("bias", [0.1f, -0.2f, 0.3f]), ("mean", [0.2f, 0f, -0.4f]), ("var", [1f, 0.25f, 2f])),
            ["Dropout-7 ratio attribute"] = () => Single(7, "Dropout", [Attr("ratio", 0.3f)]),
            ["Dropout-10 with an unread mask"] = () => Single(10, "Dropout", [Attr("ratio", 0.5f)], outputs: 2),
            ["TopK-1 k attribute"] = () => Single(9, "TopK", [Int("k", 2)], outputs: 2),
        };

        public static (ModelProto, long[]) Single(long opset, string op, AttributeProto[] attributes, long[]? shape = null, int outputs = 1, int readOutput = 0)
        {
            var node = new NodeProto { OpType = op, Name = "node", Input = { "x" }, Attribute = { attributes } };
            for (var i = 0; i < outputs; i++) node.Output.Add(i == 0 ? "y" : $"y{i}");
            return (Model(opset, node, [], node.Output[readOutput], shape ?? Nchw), shape ?? Nchw);
        }

        private static (ModelProto, long[]) WithInitializers(long opset, string op, AttributeProto[] attributes, params (string Name, float[] Values)[] constants)
        {
            var node = new NodeProto { OpType = op, Name = "node", Input = { "x" }, Output = { "y" }, Attribute = { attributes } };
            var initializers = constants.Select(c =>
            {
                node.Input.Add(c.Name);
                return new TensorProto { Name = c.Name, DataType = (int)DataType.Float, Dims = { c.Values.Length }, FloatData = { c.Values } };
            }).ToArray();
            return (Model(opset, node, initializers, "y", Nchw), Nchw);
        }

        /// <summary>The input's shape is declared (the upgrader reads ranks from it); the output's is left to the runtime.</summary>
        private static ModelProto Model(long opset, NodeProto node, TensorProto[] initializers, string output, long[] inputShape)
        {
            var graph = new GraphProto { Name = $"{node.OpType}_{opset}", Node = { node }, Initializer = { initializers } };
            var input = FloatTensor();
            input.TensorType.Shape = new TensorShapeProto();
            foreach (var d in inputShape) input.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            graph.Input.Add(new ValueInfoProto { Name = "x", Type = input });
            graph.Output.Add(new ValueInfoProto { Name = output, Type = FloatTensor() });
            return new ModelProto { IrVersion = 4, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = opset } } };
        }

        private static TypeProto FloatTensor() => new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } };

        private static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeType.Ints, Ints = { values } };

        private static AttributeProto Floats(string name, params float[] values) =>
            values.Length == 1 && name is "min" or "max" or "value"
                ? new AttributeProto { Name = name, Type = AttributeType.Float, F = values[0] }
                : new AttributeProto { Name = name, Type = AttributeType.Floats, Floats = { values } };

        private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

        private static AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    }
}
