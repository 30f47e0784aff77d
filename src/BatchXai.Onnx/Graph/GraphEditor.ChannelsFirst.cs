using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;

namespace BatchXai.Onnx.Graph;

public static partial class GraphEditor
{
    /// <summary>
    /// Puts a channels-first view of an NHWC tensor on the forward path: T_nchw = Transpose(T, [0,3,1,2]),
    /// T' = Transpose(T_nchw, [0,2,3,1]), and every node that read T reads T' instead. The model computes
    /// the same (ONNX Runtime folds the pair away), but T_nchw now carries T's activations and, in a
    /// backward graph, T's gradient in NCHW — so CAM, CRM, Grad-CAM and CLEAR stay layout-free.
    /// </summary>
    /// <returns>The edited model and the name of the NCHW tensor.</returns>
    public static (ModelProto Model, string ChannelsFirst) ChannelsFirstView(ModelProto model, string nhwcTensor)
    {
        var edited = model.Clone();
        var graph = RequireGraph(edited);
        RequireTensor(new GraphIndex(graph), nhwcTensor, "cannot read it as channels-first");
        var nchw = nhwcTensor + "_batchxai_nchw";
        var restored = nhwcTensor + "_batchxai_nhwc";
        foreach (var node in graph.Node)
            for (var i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == nhwcTensor) node.Input[i] = restored;
        var producerIndex = graph.Node.ToList().FindIndex(n => n.Output.Contains(nhwcTensor));
        NodeProto[] views =
        [
            new() { OpType = "Transpose", Name = nchw, Input = { nhwcTensor }, Output = { nchw }, Attribute = { Attr("perm", [0L, 3, 1, 2]) } },
            new() { OpType = "Transpose", Name = restored, Input = { nchw }, Output = { restored }, Attribute = { Attr("perm", [0L, 2, 3, 1]) } },
        ];
        // Right after the producer (or first, for a graph input), so the node list stays topologically sorted.
        var at = producerIndex + 1;
        for (var i = 0; i < views.Length; i++) graph.Node.Insert(at + i, views[i]);
        return (edited, nchw);
    }
}
