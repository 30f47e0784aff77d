namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>Rewrites one node (already taken out of the graph) into its opset-13 form, adding it back through the context.</summary>
internal delegate void NodeUpgrade(Proto.NodeProto node, UpgradeContext context);

/// <summary>
/// The one table of ops whose form changed between opsets 7 and 13 (from ONNX's operator change
/// log), each with the opset of the change and its rewrite. A node is rewritten when the model's
/// opset is older than the change. Ops not listed only widened their types or allowed negative
/// axes in that span, so they mean the same at 13.
/// </summary>
internal static class OpUpgrades
{
    public static readonly IReadOnlyDictionary<string, (long ChangedAt, NodeUpgrade Upgrade)> Table =
        new Dictionary<string, (long, NodeUpgrade)>(StringComparer.Ordinal)
        {
            ["Clip"] = (11, AttributeInputUpgrades.Clip),
            ["Slice"] = (10, AttributeInputUpgrades.Slice),
            ["Pad"] = (11, AttributeInputUpgrades.Pad),
            ["TopK"] = (10, AttributeInputUpgrades.TopK),
            ["Squeeze"] = (13, AttributeInputUpgrades.Axes),
            ["Unsqueeze"] = (13, AttributeInputUpgrades.Axes),
            ["ReduceSum"] = (13, AttributeInputUpgrades.Axes),
            ["Split"] = (13, AttributeInputUpgrades.Split),
            ["Softmax"] = (13, SoftmaxUpgrade.Upgrade),
            ["LogSoftmax"] = (13, SoftmaxUpgrade.Upgrade),
            ["Hardmax"] = (13, SoftmaxUpgrade.Upgrade),
            ["Upsample"] = (long.MaxValue, ResizeUpgrade.Upsample),
            ["Resize"] = (11, ResizeUpgrade.Resize10),
            ["BatchNormalization"] = (9, InferenceOpUpgrades.BatchNormalization),
            ["Dropout"] = (12, InferenceOpUpgrades.Dropout),
            ["Scatter"] = (long.MaxValue, InferenceOpUpgrades.Scatter),
            ["Scan"] = (9, (node, context) => throw context.Refuse(node, "Scan changed its inputs at opset 9; re-export the model at opset 9 or later")),
        };
}
