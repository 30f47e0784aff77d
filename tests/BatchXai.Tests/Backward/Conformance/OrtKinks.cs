using BatchXai.Imaging;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Proto;
using BatchXai.Onnx.Runtime;
using Google.Protobuf;

namespace BatchXai.Tests.Backward.Conformance;

/// <summary>
/// The kink decisions of ONNX Runtime's float32 forward pass through a prepared model: for every
/// forward Relu node (graph order) whether each output is positive, and every forward MaxPool's
/// switches (its Indices output, which the builder adds and this reads for every pool). Written as .npy files for align_kinks.py.
/// </summary>
internal static class OrtKinks
{
    /// <summary>Runs the prepared model once, writes relu_NNN.npy and maxpool_NNN.npy into <paramref name="folder"/>, returns the input gradient of that run.</summary>
    public static float[] Write(ModelProto prepared, string folder, NpyArray input, NpyArray seed)
    {
        var model = prepared.Clone();
        var forward = model.Graph.Node.Where(n => !n.Name.StartsWith("batchxai_grad/", StringComparison.Ordinal)).ToList();
        var relus = forward.Where(n => n.OpType == "Relu").Select(n => n.Output[0]).ToList();
        // A pool whose backward rule needed no indices has none: ask for them here.
        foreach (var pool in forward.Where(n => n.OpType == "MaxPool" && (n.Output.Count < 2 || n.Output[1].Length == 0)))
            if (pool.Output.Count < 2) pool.Output.Add($"{pool.Output[0]}_kinks_indices");
            else pool.Output[1] = $"{pool.Output[0]}_kinks_indices";
        var pools = forward.Where(n => n.OpType == "MaxPool").Select(n => n.Output[1]).ToList();
        foreach (var (name, type) in relus.Select(r => (r, TensorProto.Types.DataType.Float))
                     .Concat(pools.Select(p => (p, TensorProto.Types.DataType.Int64))))
            if (model.Graph.Output.All(o => o.Name != name))
                model.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } });

        using var session = OrtInferenceSession.FromBytes(model.ToByteArray());
        using var result = session.Run(
        [
            OrtInputTensor.Float("input", input.Data, [.. input.Shape.Select(d => (long)d)]),
            OrtInputTensor.Float(BackwardGraphBuilder.SeedInput, seed.Data, [.. seed.Shape.Select(d => (long)d)]),
        ], [BackwardGraphBuilder.InputGradOutput, .. relus, .. pools]);

        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.GetFiles(folder, "relu_*.npy").Concat(Directory.GetFiles(folder, "maxpool_*.npy"))) File.Delete(stale);
        for (var i = 0; i < relus.Count; i++)
        {
            var output = result[relus[i]];
            var positive = output.Data.ToArray().Select(v => v > 0 ? (byte)1 : (byte)0).ToArray();
            using var file = File.Create(Path.Combine(folder, $"relu_{i:D3}.npy"));
            NpyFile.WriteBytes(file, positive, Shape(output));
        }
        for (var i = 0; i < pools.Count; i++)
        {
            var output = result[pools[i]];
            var indices = output.AsSpan<long>().ToArray().Select(checked(v => (int)v)).ToArray();
            using var file = File.Create(Path.Combine(folder, $"maxpool_{i:D3}.npy"));
            NpyFile.WriteInt32(file, indices, Shape(output));
        }
        return result[0].ToArray();
    }

    private static int[] Shape(OrtOutputTensor output) => output.Shape.Select(d => (int)d).ToArray();
}
