using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Graph.Upgrade.UpgradeContext;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>Ops whose attributes became inputs: the attribute's value becomes an initializer read at the new input position.</summary>
internal static class AttributeInputUpgrades
{
    /// <summary>Clip-6 min/max attributes (float, default ∓FLT_MAX) → Clip-11 inputs 1 and 2, scalars of the data's type.</summary>
    public static void Clip(NodeProto node, UpgradeContext c)
    {
        var type = c.ElementType(node.Input[0]);
        if (Find(node, "min") is { } min) SetInput(node, 1, c.Scalar(node, "min", type, min.F));
        if (Find(node, "max") is { } max) SetInput(node, 2, c.Scalar(node, "max", type, max.F));
        RemoveAttributes(node, "min", "max");
        c.Keep(node);
    }

    /// <summary>Slice-1 starts/ends/axes attributes → Slice-10 inputs 1–3 (steps stay 1).</summary>
    public static void Slice(NodeProto node, UpgradeContext c)
    {
        var starts = Find(node, "starts") ?? throw c.Refuse(node, "it has no 'starts' attribute");
        var ends = Find(node, "ends") ?? throw c.Refuse(node, "it has no 'ends' attribute");
        SetInput(node, 1, c.Int64s(node, "starts", starts.Ints));
        SetInput(node, 2, c.Int64s(node, "ends", ends.Ints));
        if (Find(node, "axes") is { } axes) SetInput(node, 3, c.Int64s(node, "axes", axes.Ints));
        RemoveAttributes(node, "starts", "ends", "axes");
        c.Keep(node);
    }

    /// <summary>Pad-2 pads/value attributes → Pad-11 inputs 1 (int64 pads) and 2 (constant value, constant mode only).</summary>
    public static void Pad(NodeProto node, UpgradeContext c)
    {
        var pads = Find(node, "pads") ?? Find(node, "paddings") ?? throw c.Refuse(node, "it has no 'pads' attribute");
        SetInput(node, 1, c.Int64s(node, "pads", pads.Ints));
        var mode = Find(node, "mode")?.S.ToStringUtf8() ?? "constant";
        if (mode == "constant" && Find(node, "value") is { } value && value.F != 0f)
            SetInput(node, 2, c.Scalar(node, "value", c.ElementType(node.Input[0]), value.F));
        RemoveAttributes(node, "pads", "paddings", "value");
        c.Keep(node);
    }

    /// <summary>TopK-1 k attribute → TopK-10 input 1, a one-element int64 tensor.</summary>
    public static void TopK(NodeProto node, UpgradeContext c)
    {
        var k = Find(node, "k") ?? throw c.Refuse(node, "it has no 'k' attribute");
        SetInput(node, 1, c.Int64s(node, "k", [k.I]));
        RemoveAttributes(node, "k");
        c.Keep(node);
    }

    /// <summary>Squeeze, Unsqueeze, ReduceSum: the axes attribute → input 1 (absent stays absent: "all axes" / "size-1 axes").</summary>
    public static void Axes(NodeProto node, UpgradeContext c)
    {
        if (Find(node, "axes") is { } axes)
            SetInput(node, 1, c.Int64s(node, "axes", axes.Ints));
        else if (node.OpType == "Unsqueeze")
            throw c.Refuse(node, "it has no 'axes' attribute");
        RemoveAttributes(node, "axes");
        c.Keep(node);
    }

    /// <summary>Split-2/11 split attribute → Split-13 input 1 (absent: equal parts, as before).</summary>
    public static void Split(NodeProto node, UpgradeContext c)
    {
        if (Find(node, "split") is { } split)
            SetInput(node, 1, c.Int64s(node, "split", split.Ints));
        RemoveAttributes(node, "split");
        c.Keep(node);
    }

    internal static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);
}
