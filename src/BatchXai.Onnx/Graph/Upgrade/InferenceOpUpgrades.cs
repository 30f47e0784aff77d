using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>Ops that lost attributes meaningless at inference, or were renamed.</summary>
internal static class InferenceOpUpgrades
{
    /// <summary>BatchNormalization-7 'spatial' (1: per-channel statistics, the only form from 9 on), older 'consumed_inputs'/'is_test' dropped.</summary>
    public static void BatchNormalization(NodeProto node, UpgradeContext c)
    {
        if (AttributeInputUpgrades.Find(node, "spatial") is { I: 0 })
            throw c.Refuse(node, "spatial=0 (per-activation statistics) has no form at opset 9 or later");
        UpgradeContext.RemoveAttributes(node, "spatial", "consumed_inputs", "is_test");
        c.Keep(node);
    }

    /// <summary>
    /// Dropout before 12 (ratio an attribute; before 10 a mask of the data's type): at inference it
    /// passes its input through, so it becomes Identity — unless something reads the mask.
    /// </summary>
    public static void Dropout(NodeProto node, UpgradeContext c)
    {
        if (node.Output.Count > 1 && node.Output[1].Length > 0 && c.IsRead(node.Output[1]))
            throw c.Refuse(node, $"its mask output '{node.Output[1]}' is read by the graph, and the mask's type changed at opset 10");
        if (node.Input.Count == 0 || node.Input[0].Length == 0)
            throw c.Refuse(node, "it has no data input");
        c.Keep(new NodeProto { OpType = "Identity", Name = node.Name, Input = { node.Input[0] }, Output = { node.Output[0] } });
    }

    /// <summary>Scatter (deprecated at 11) is ScatterElements under another name.</summary>
    public static void Scatter(NodeProto node, UpgradeContext c)
    {
        node.OpType = "ScatterElements";
        c.Keep(node);
    }
}
