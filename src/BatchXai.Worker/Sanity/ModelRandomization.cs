using BatchXai.Onnx.Proto;
using Google.Protobuf;

namespace BatchXai.Worker.Sanity;

/// <summary>A layer with learned weights: a node and the float initializers it owns.</summary>
public sealed record WeightLayer(string Node, string OpType, IReadOnlyList<string> Initializers);

/// <summary>
/// Cascading model-parameter randomisation (Adebayo et al. 2018) on an in-memory copy of the ONNX
/// graph: the layers with weights in graph order, and a copy whose top k layers (from the logits
/// down) have every float initializer re-drawn from a Gaussian with the tensor's own mean and
/// standard deviation, seeded. Batch-norm running statistics are left alone (re-drawing a variance
/// could make it negative); its scale and shift are re-drawn.
/// </summary>
public static class ModelRandomization
{

    public static List<WeightLayer> Layers(ModelProto model)
    {
        var floats = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count >= 1)
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var owned = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<WeightLayer>();
        foreach (var node in model.Graph.Node)
        {
            var inputs = node.Input.Select((name, i) => (name, i))
                .Where(p => floats.Contains(p.name) && !(node.OpType == "BatchNormalization" && p.i >= 3) && owned.Add(p.name))
                .Select(p => p.name).ToList();
            if (inputs.Count > 0) layers.Add(new WeightLayer(node.Name is { Length: > 0 } name ? name : $"{node.OpType}:{node.Output[0]}", node.OpType, inputs));
        }
        return layers;
    }

    /// <summary>The model with the initializers of <paramref name="layers"/> re-drawn, as ONNX bytes; the original is not changed.</summary>
    public static byte[] Randomize(ModelProto model, IEnumerable<WeightLayer> layers, int seed)
    {
        var copy = model.Clone();
        var names = layers.SelectMany(l => l.Initializers).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in copy.Graph.Initializer.Where(t => names.Contains(t.Name)))
        {
            // Seeded per tensor: a layer keeps its re-drawn weights at every later step of the cascade.
            var random = new Random(seed ^ StableHash(tensor.Name));
            var values = Read(tensor);
            double mean = values.Average(v => (double)v);
            double std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            if (std == 0) std = Math.Max(Math.Abs(mean), 1e-2); // a constant tensor (a zero bias) still gets randomised
            var bytes = new byte[values.Length * sizeof(float)];
            var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (int i = 0; i < span.Length; i++) span[i] = (float)(mean + std * Core.Paths.SeededNoise.NextGaussian(random));
            tensor.FloatData.Clear();
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        return copy.ToByteArray();
    }

    private static int StableHash(string name)
    {
        uint hash = 2166136261u;
        foreach (char c in name) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private static float[] Read(TensorProto tensor)
    {
        if (tensor.FloatData.Count > 0) return [.. tensor.FloatData];
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidOperationException($"initializer {tensor.Name} is stored outside the model file; the randomisation check needs weights inside it");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }
}
