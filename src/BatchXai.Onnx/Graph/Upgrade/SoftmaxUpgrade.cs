using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>
/// Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D at 'axis' (default 1)
/// and normalise over everything from that axis on; from 13 they normalise over the one 'axis'
/// (default −1). Where that axis is the last one the two agree and only the attribute is made
/// explicit; otherwise the old meaning is written out: Flatten(axis) → op over axis 1 → Reshape
/// back to the input's shape.
/// </summary>
internal static class SoftmaxUpgrade
{
    public static void Upgrade(NodeProto node, UpgradeContext c)
    {
        var axis = AttributeInputUpgrades.Find(node, "axis")?.I ?? 1;
        var rank = c.Rank(node.Input[0]);
        if (axis < 0 && rank is { } r) axis += r;
        UpgradeContext.RemoveAttributes(node, "axis");
        if (rank is { } known && axis == known - 1)
        {
            node.Attribute.Add(Attr("axis", axis));
            c.Keep(node);
            return;
        }
        var input = node.Input[0];
        var shape = c.Add(node, "Shape", [input]);
        var flat = c.Add(node, "Flatten", [input], Attr("axis", axis));
        var output = node.Output[0];
        node.Input[0] = flat;
        node.Output[0] = output + "_batchxai_2d";
        node.Attribute.Add(Attr("axis", 1L));
        c.Keep(node);
        c.Keep(new NodeProto { OpType = "Reshape", Name = node.Name + "_batchxai_upgrade_reshape", Input = { node.Output[0], shape }, Output = { output } });
    }
}
