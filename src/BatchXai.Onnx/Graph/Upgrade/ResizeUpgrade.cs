using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>
/// Upsample (scales as an attribute up to opset 8, as input 1 at 9; deprecated at 10) and Resize-10
/// both map output pixel i to input coordinate i / scale and take the floor for 'nearest': that is
/// Resize-13 with coordinate_transformation_mode "asymmetric" and nearest_mode "floor", the roi input absent.
/// </summary>
internal static class ResizeUpgrade
{
    public static void Upsample(NodeProto node, UpgradeContext c)
    {
        string scales;
        if (AttributeInputUpgrades.Find(node, "scales") is { } attribute)
            scales = c.Floats(node, "scales", attribute.Floats);
        else
            scales = node.Input.Count > 1 && node.Input[1].Length > 0 ? node.Input[1] : throw c.Refuse(node, "it has neither a scales attribute nor a scales input");
        ToResize13(node, c, scales);
    }

    public static void Resize10(NodeProto node, UpgradeContext c) =>
        ToResize13(node, c, node.Input.Count > 1 ? node.Input[1] : throw c.Refuse(node, "it has no scales input"));

    private static void ToResize13(NodeProto node, UpgradeContext c, string scales)
    {
        var mode = AttributeInputUpgrades.Find(node, "mode")?.S.ToStringUtf8() ?? "nearest";
        if (mode == "bilinear") mode = "linear";
        if (mode is not ("nearest" or "linear"))
            throw c.Refuse(node, $"mode '{mode}' has no Resize equivalent");
        var data = node.Input[0];
        node.OpType = "Resize";
        node.Input.Clear();
        node.Input.Add([data, "", scales]);
        node.Attribute.Clear();
        node.Attribute.Add(Attr("mode", mode));
        node.Attribute.Add(Attr("coordinate_transformation_mode", "asymmetric"));
        if (mode == "nearest") node.Attribute.Add(Attr("nearest_mode", "floor"));
        c.Keep(node);
    }
}
