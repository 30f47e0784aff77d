using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Graph.Upgrade;

/// <summary>What an upgrade did: the opset the model was exported at and how many nodes were rewritten, by op.</summary>
public sealed record OpsetUpgrade(long SourceOpset, IReadOnlyDictionary<string, int> RewrittenByOp)
{
    public override string ToString() =>
        $"opset {SourceOpset} upgraded to {OpsetUpgrader.TargetOpset} in memory" + (RewrittenByOp.Count == 0
            ? " (no node changed form)"
            : $" ({string.Join(", ", RewrittenByOp.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"))} rewritten)");
}

/// <summary>
/// Brings a model exported at default-domain opset 7–12 to opset 13, in memory (the user's file is
/// never touched), so the graph editor, the backward-graph builder and ONNX Runtime all see one form
/// of every op. Only ops whose signature or meaning changed between the model's opset and 13 are
/// rewritten (attributes that became inputs, Softmax's axis semantics, Upsample → Resize,
/// BatchNormalization's spatial, Dropout's ratio); every other op means the same at 13. The opset
/// the model was exported at is kept in the model's metadata (<see cref="SourceOpsetKey"/>) so
/// later error messages can name it.
/// </summary>
public static class OpsetUpgrader
{
    public const long TargetOpset = 13;
    public const long OldestSupportedOpset = 7;

    /// <summary>metadata_props key holding the default-domain opset the model was exported at.</summary>
    public const string SourceOpsetKey = "batchxai.source_opset";

    /// <summary>ONNX IR version 7 is the one that goes with opset 13.</summary>
    private const long IrVersionForTarget = 7;

    /// <summary>The default-domain ("" / "ai.onnx") opset a model imports; 0 when none.</summary>
    public static long DefaultOpset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    /// <summary>The opset the model was exported at: the recorded one for an upgraded model, else its import.</summary>
    public static long SourceOpset(ModelProto model) =>
        model.MetadataProps.FirstOrDefault(p => p.Key == SourceOpsetKey) is { } recorded && long.TryParse(recorded.Value, out var v)
            ? v
            : DefaultOpset(model);

    /// <summary>True when the model imports a default-domain opset below 13 (and so needs <see cref="Upgrade"/>).</summary>
    public static bool NeedsUpgrade(ModelProto model) => DefaultOpset(model) is > 0 and < TargetOpset;

    /// <summary>
    /// A copy of <paramref name="model"/> at opset 13, and what was rewritten; the model itself when
    /// it already imports 13 or later (upgrade null).
    /// </summary>
    /// <exception cref="OnnxGraphException">The opset is older than 7, or a node cannot be expressed at 13 (names node, op and opset).</exception>
    public static (ModelProto Model, OpsetUpgrade? Upgrade) Upgrade(ModelProto model)
    {
        var source = DefaultOpset(model);
        if (source is 0 or >= TargetOpset)
            return (model, null);
        if (source < OldestSupportedOpset)
            throw new OnnxGraphException(
                $"the model imports opset {source}; BatchXai reads opsets {OldestSupportedOpset} and later (re-export it at {OldestSupportedOpset} or later)");
        var upgraded = model.Clone();
        var graph = upgraded.Graph ?? throw new OnnxGraphException("the ONNX model has no graph");
        var rewritten = new Dictionary<string, int>(StringComparer.Ordinal);
        UpgradeGraph(graph, source, rewritten);
        foreach (var import in upgraded.OpsetImport.Where(o => o.Domain is "" or "ai.onnx"))
            import.Version = TargetOpset;
        upgraded.IrVersion = Math.Max(upgraded.IrVersion, IrVersionForTarget);
        upgraded.MetadataProps.Add(new StringStringEntryProto { Key = SourceOpsetKey, Value = source.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return (upgraded, new OpsetUpgrade(source, rewritten));
    }

    private static void UpgradeGraph(GraphProto graph, long source, Dictionary<string, int> rewritten)
    {
        var context = new UpgradeContext(graph, source);
        foreach (var node in graph.Node.ToArray())
        {
            // Bodies of If/Loop/Scan import the same opset: upgrade them too.
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } body) UpgradeGraph(body, source, rewritten);
                foreach (var nested in attribute.Graphs) UpgradeGraph(nested, source, rewritten);
            }
            var isDefaultDomain = node.Domain is "" or "ai.onnx";
            if (isDefaultDomain && OpUpgrades.Table.TryGetValue(node.OpType, out var entry) && source < entry.ChangedAt)
            {
                entry.Upgrade(node, context);
                rewritten[node.OpType] = rewritten.GetValueOrDefault(node.OpType) + 1;
            }
            else
            {
                context.Keep(node);
            }
        }
        context.Commit();
    }
}
